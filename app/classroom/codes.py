"""Join codes (short, typed from the back of a room, never guessable in practice) and control secrets.

A join code is 8 characters from a 30-symbol alphabet without look-alikes (no 0/O, 1/I/L, U):
30⁸ ≈ 6.6·10¹¹ codes, about 39 bits. With the server's limit of a few dozen classes and a limit on
failed joins per client (app/classroom/service.py), a guesser making the most wrong guesses the limit
allows for a whole year (50 per 10 minutes is 2.6 million) would find one of 50 live classes with a
chance of about 2 in 10,000. The code admits followers only; leading needs the control secret, 256
random bits that exist only in the instructor's page and, hashed, in the session.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 8
_SEPARATORS = re.compile(r"[\s\-–—_.]+")
_CODE = re.compile(f"[{ALPHABET}]{{{CODE_LENGTH}}}")
MAX_TYPED = 40           # characters of typed text read as a code (and shown back on the join page)


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def display_code(code: str) -> str:
    """ABCD2345 → "ABCD-2345", easier to read aloud and to copy from a projector."""
    half = CODE_LENGTH // 2
    return f"{code[:half]}-{code[half:]}"


def normalise_code(text: str) -> str | None:
    """What a person typed ("abcd 2345", "ABCD-2345") as a code, or None when it cannot be one."""
    if not isinstance(text, str) or len(text) > MAX_TYPED:
        return None
    code = _SEPARATORS.sub("", text).upper()
    return code if _CODE.fullmatch(code) else None


def new_control() -> str:
    """The instructor's secret: shown to no one, sent only in the first message of their page's socket."""
    return secrets.token_urlsafe(32)


def control_digest(control: str) -> str:
    return hashlib.sha256(control.encode()).hexdigest()


def control_matches(control: object, digest: str) -> bool:
    """Constant-time check of a claimed secret against the session's digest."""
    if not isinstance(control, str) or not 20 <= len(control) <= 100:
        return False
    return hmac.compare_digest(control_digest(control), digest)
