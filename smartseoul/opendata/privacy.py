"""Personal-data check for the Information Open Plaza (framework-free).

Finds, with positions, what must not be published:
- resident registration numbers (주민등록번호): a valid birth date and a correct check digit
  (numbers issued since October 2020 carry no check digit; see docs/opendata.md);
- mobile phone numbers (010, 011, 016–019, +82 forms). Office landlines are public contact
  points and are not flagged;
- e-mail addresses, except official government addresses (*.go.kr), which are public contacts;
- bank account numbers: digit groups with hyphens next to a bank or "account" word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

RRN = re.compile(r"(?<![\d-])(\d{2})(\d{2})(\d{2})[- ]?([1-8])(\d{6})(?![\d-])")
PHONE = re.compile(r"(?<![\d-])(?:\+82[- ]?1[016789]|01[016789])[- .]?\d{3,4}[- .]?\d{4}(?![\d-])")
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
ACCOUNT = re.compile(r"(?<![\d-])\d{2,6}-\d{2,6}-\d{2,8}(?:-\d{1,3})?(?![\d-])")
BANK_WORDS = re.compile(
    r"(은행|계좌|농협|국민|신한|우리|하나|기업|카카오뱅크|케이뱅크|토스뱅크|새마을|우체국|수협|신협|SC제일|씨티|"
    r"account|bank)",
    re.IGNORECASE,
)
_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)

KINDS = ("rrn", "phone", "email", "bank_account")
MASKS = {"rrn": "******-*******", "phone": "***-****-****", "email": "***@***", "bank_account": "***-***-******"}


@dataclass(frozen=True)
class Hit:
    kind: str
    start: int
    end: int
    value: str


def rrn_is_valid(number: str) -> bool:
    """13 digits (hyphen allowed): a real birth date for the century the 7th digit gives, and
    the check digit (11 − Σ dᵢ·wᵢ mod 11) mod 10."""
    digits = re.sub(r"\D", "", number)
    if len(digits) != 13:
        return False
    yy, mm, dd, g = int(digits[0:2]), int(digits[2:4]), int(digits[4:6]), int(digits[6])
    century = {1: 1900, 2: 1900, 5: 1900, 6: 1900, 3: 2000, 4: 2000, 7: 2000, 8: 2000}.get(g)
    if century is None:
        return False
    try:
        date(century + yy, mm, dd)
    except ValueError:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:12], _WEIGHTS, strict=True))
    return (11 - total % 11) % 10 == int(digits[12])


def find(text: str) -> list[Hit]:
    """Every personal-data hit in `text`, in order, without overlaps."""
    hits: list[Hit] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    for m in RRN.finditer(text):
        if rrn_is_valid(m.group(0)) and free(m.start(), m.end()):
            hits.append(Hit("rrn", m.start(), m.end(), m.group(0)))
            taken.append((m.start(), m.end()))
    for m in PHONE.finditer(text):
        if free(m.start(), m.end()):
            hits.append(Hit("phone", m.start(), m.end(), m.group(0)))
            taken.append((m.start(), m.end()))
    for m in EMAIL.finditer(text):
        domain = m.group(1).lower()
        if domain.endswith(".go.kr") or domain == "go.kr":
            continue
        if free(m.start(), m.end()):
            hits.append(Hit("email", m.start(), m.end(), m.group(0)))
            taken.append((m.start(), m.end()))
    for m in ACCOUNT.finditer(text):
        digits = re.sub(r"\D", "", m.group(0))
        if not 10 <= len(digits) <= 16 or not free(m.start(), m.end()):
            continue
        context = text[max(0, m.start() - 20) : m.start()]
        if BANK_WORDS.search(context):
            hits.append(Hit("bank_account", m.start(), m.end(), m.group(0)))
            taken.append((m.start(), m.end()))
    hits.sort(key=lambda h: h.start)
    return hits


def masked_excerpt(text: str, hit: Hit, width: int = 20) -> str:
    """Context around a hit with the value itself masked (safe to store and show)."""
    before = text[max(0, hit.start - width) : hit.start]
    after = text[hit.end : hit.end + width]
    for other in find(before + " " + after):
        before = before.replace(other.value, MASKS[other.kind])
        after = after.replace(other.value, MASKS[other.kind])
    return f"{before}[{MASKS[hit.kind]}]{after}".replace("\n", " ")


def redact(text: str, spans: list[tuple[int, int, str]]) -> str:
    """Replaces each (start, end, kind) span with its mask; spans may come in any order."""
    for start, end, kind in sorted(spans, key=lambda s: s[0], reverse=True):
        text = text[:start] + MASKS.get(kind, "***") + text[end:]
    return text
