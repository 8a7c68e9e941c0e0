from __future__ import annotations

from ninja import Schema


class MeOut(Schema):
    username: str
    role: str
    verification: int
    has_phone: bool
    home_district: str | None
    department: str | None


class PhoneIn(Schema):
    phone: str


class CodeIn(Schema):
    code: str
