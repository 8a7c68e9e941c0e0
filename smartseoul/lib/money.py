"""Amounts of money as people read them (no Django): 8,000,000,000 won is "80억 원" in Korean and
"KRW 8 billion" in English."""

from __future__ import annotations

from decimal import Decimal

JO = 10**12
EOK = 10**8
MAN = 10**4


def krw_ko(amount: int) -> str:
    """Korean grouping by 조/억/만: 8000000000 → "80억 원", 1250000000 → "12억 5,000만 원",
    35000000 → "3,500만 원", 12345 → "1만 2,345원", 5000 → "5,000원", 0 → "0원"."""
    amount = int(amount)
    sign = "-" if amount < 0 else ""
    rest = abs(amount)
    if rest < MAN:
        return f"{sign}{rest:,}원"
    parts = []
    for unit, name in ((JO, "조"), (EOK, "억"), (MAN, "만")):
        n, rest = divmod(rest, unit)
        if n:
            parts.append(f"{n:,}{name}")
    if rest:
        parts.append(f"{rest:,}")
        return sign + " ".join(parts) + "원"
    return sign + " ".join(parts) + " 원"


def krw_en(amount: int) -> str:
    """English with million/billion/trillion when that is exact to two decimals: "KRW 8 billion",
    "KRW 1.25 billion", "KRW 600 million"; otherwise every digit: "KRW 123,456,789"."""
    amount = int(amount)
    sign = "-" if amount < 0 else ""
    rest = abs(amount)
    for unit, name in ((10**12, "trillion"), (10**9, "billion"), (10**6, "million")):
        if rest >= unit and rest % (unit // 100) == 0:
            return f"{sign}KRW {(Decimal(rest) / unit).normalize():f} {name}"
    return f"{sign}KRW {rest:,}"


def krw_text(amount: int | None, language: str = "ko") -> str:
    """The amount in the reader's language ("ko" or anything else for English); "—" for none."""
    if amount is None:
        return "—"
    return krw_ko(amount) if (language or "ko").startswith("ko") else krw_en(amount)
