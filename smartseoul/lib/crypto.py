"""Keyed hashes and field encryption for personal data. No Django: keys are passed in."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from cryptography.fernet import Fernet, InvalidToken


def keyed_hash(key: str | bytes, *parts: str) -> str:
    """HMAC-SHA256 of the parts (joined by U+001F) as hex: stable look-up without the plain value."""
    k = key.encode() if isinstance(key, str) else key
    msg = "\x1f".join(parts).encode("utf-8")
    return hmac.new(k, msg, hashlib.sha256).hexdigest()


def fernet_key_from_secret(secret: str) -> bytes:
    """Accepts a Fernet key, or derives one from any secret string."""
    raw = secret.encode()
    try:
        Fernet(raw)
        return raw
    except (ValueError, TypeError):
        import base64

        return base64.urlsafe_b64encode(hashlib.sha256(raw).digest())


class FieldCipher:
    def __init__(self, secret: str) -> None:
        self._fernet = Fernet(fernet_key_from_secret(secret))

    def encrypt(self, value: str) -> str:
        return self._fernet.encrypt(value.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken as exc:
            raise ValueError("cannot decrypt field: wrong key or damaged value") from exc


def numeric_code(digits: int = 6) -> str:
    return "".join(secrets.choice("0123456789") for _ in range(digits))


def normalise_phone(phone: str) -> str:
    """Korean mobile numbers in one form: digits only, +82 converted to a leading 0."""
    digits = "".join(ch for ch in phone if ch.isdigit() or ch == "+")
    if digits.startswith("+82"):
        digits = "0" + digits[3:]
    digits = digits.replace("+", "")
    if not (9 <= len(digits) <= 11) or not digits.startswith("0"):
        raise ValueError("not a Korean phone number")
    return digits


def mask_phone(phone: str) -> str:
    """010-****-5678 style, for the owner's own screens only."""
    return f"{phone[:3]}-****-{phone[-4:]}" if len(phone) >= 7 else "***"
