"""One-time invitations: a deep-link token and a short join code, both stored only hashed.

The token goes into ``https://t.me/<bot>?start=<token>`` (Telegram allows 64 characters of
``A-Za-z0-9_-``); the join code is typed (``join K7QM-4XPD``) on any platform, so it avoids
characters that are easy to confuse (0/O, 1/I/L).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

TOKEN_BYTES = 24  # 32 characters of base64url
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass(frozen=True)
class Invite:
    id: int
    person_id: int
    expires_at: datetime
    used_at: datetime | None
    revoked_at: datetime | None

    def state(self, now: datetime) -> str:
        """``valid``, ``used``, ``revoked`` or ``expired``."""
        if self.revoked_at is not None:
            return "revoked"
        if self.used_at is not None:
            return "used"
        if self.expires_at <= now:
            return "expired"
        return "valid"


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def is_token(text: str) -> bool:
    return bool(_TOKEN.match(text))


def normalise_code(text: str) -> str:
    """What a person typed as a code, the way it was hashed: upper case, no spaces or dashes."""
    return re.sub(r"[\s-]", "", text).upper()


def digest(secret: str) -> str:
    """The stored form of a token or a normalised code."""
    return hashlib.sha256(secret.encode()).hexdigest()
