"""Logging set-up: one format, and a filter that masks anything shaped like a token."""

from __future__ import annotations

import logging
import re

_SECRET = re.compile(r"(xox[abpr]-[0-9A-Za-z-]+|xapp-[0-9A-Za-z-]+|\d{6,12}:[0-9A-Za-z_-]{30,})")


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if _SECRET.search(message):
            record.msg, record.args = _SECRET.sub("[secret]", message), None
        return True


def setup(level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.addFilter(RedactSecrets())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
