"""Logging set-up and the one error funnel.

Everything that fails without a caller to tell (an inbound event, a scheduler tick, a send)
goes through :func:`report_error`: one log line with the source, the exception type, its
message and traceback with anything secret or personal masked, and a few ids of context. It
never raises, so the funnel itself cannot be what kills the loop.
"""

from __future__ import annotations

import contextlib
import logging
import re
import traceback
from collections.abc import Mapping

#: Bot tokens (Slack ``xoxb-``/``xoxp-``/``xapp-``, Telegram ``123456789:AA...``), bearer
#: headers, and e-mail addresses (the one personal datum an exception message tends to carry).
_SECRET = re.compile(
    r"(xox[abpres]-[0-9A-Za-z-]+|xapp-[0-9A-Za-z-]+|\d{6,12}:[0-9A-Za-z_-]{30,}"
    r"|(?i:bearer)\s+[0-9A-Za-z._~+/-]{12,}=*)"
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
#: Context values longer than this are cut: context is for ids, not for message text.
MAX_CONTEXT_VALUE = 64

log = logging.getLogger("bot.errors")
#: loggers that would write personal data at DEBUG: the database drivers (statements with
#: their values, fetched rows) and the chat libraries (every request and response: message
#: texts, names, e-mail look-ups)
QUIET = (
    "sqlalchemy.engine",
    "sqlalchemy.pool",
    "psycopg",
    "telegram",
    "slack_sdk",
    "slack_bolt",
)


def mask(text: str) -> str:
    """``text`` with tokens replaced by ``[secret]`` and e-mail addresses by ``[email]``."""
    return _EMAIL.sub("[email]", _SECRET.sub("[secret]", text))


class RedactSecrets(logging.Filter):
    """Masks secrets in every record a handler emits: the message and, unlike a filter that
    only looks at ``getMessage()``, the formatted traceback and stack too."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            # The formatter uses exc_text when set, so the raw traceback is never printed.
            record.exc_text = mask(record.exc_text)
        if record.stack_info:
            record.stack_info = mask(record.stack_info)
        return True


def setup(level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.addFilter(RedactSecrets())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Each start runs the migrations; their step-by-step lines are noise below DEBUG.
    logging.getLogger("alembic").setLevel(
        logging.DEBUG if level.upper() == "DEBUG" else logging.WARNING
    )
    # Those log personal data at DEBUG (see QUIET): never below WARNING, whatever the level.
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)


def report_error(
    source: str, exc: BaseException, context: Mapping[str, object] | None = None
) -> None:
    """Log that ``source`` (``inbound``, ``plan``, ``drain``, ``send`` ...) failed with ``exc``.

    ``context`` carries ids only (platform, event id, person id, outbox row, template), never
    message text or names; values are masked and cut to ``MAX_CONTEXT_VALUE`` characters all
    the same. The message and the traceback are masked here, before any handler sees them, so
    the line is safe whichever handler (a test's, a platform's) emits it. Never raises.
    """
    try:
        details = " ".join(
            f"{key}={_short(value)}" for key, value in sorted((context or {}).items())
        )
        trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        log.error(
            "%s failed%s: %s: %s\n%s",
            source,
            f" ({details})" if details else "",
            type(exc).__name__,
            mask(str(exc)),
            mask(trace).rstrip(),
        )
    except Exception:  # the funnel must not raise, whatever it was given
        with contextlib.suppress(Exception):  # logging itself is broken: nothing left to do
            log.error("%s failed, and reporting it failed too", source)


def _short(value: object) -> str:
    text = mask(str(value))
    return text if len(text) <= MAX_CONTEXT_VALUE else text[: MAX_CONTEXT_VALUE - 1] + "…"
