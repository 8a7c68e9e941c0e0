"""Amounts as people read them: 80억 원, not 8,000,000,000 KRW (issue 16)."""

from __future__ import annotations

import pytest

from smartseoul.lib.money import krw_en, krw_ko, krw_text


@pytest.mark.parametrize(
    ("amount", "korean", "english"),
    [
        (8_000_000_000, "80억 원", "KRW 8 billion"),
        (1_250_000_000, "12억 5,000만 원", "KRW 1.25 billion"),
        (600_000_000, "6억 원", "KRW 600 million"),
        (35_000_000, "3,500만 원", "KRW 35 million"),
        (123_456_789, "1억 2,345만 6,789원", "KRW 123,456,789"),
        (12_345, "1만 2,345원", "KRW 12,345"),
        (5_000, "5,000원", "KRW 5,000"),
        (0, "0원", "KRW 0"),
        (2_000_000_000_000, "2조 원", "KRW 2 trillion"),
        (-300_000_000, "-3억 원", "-KRW 300 million"),
    ],
)
def test_amounts_read_as_people_write_them(amount: int, korean: str, english: str) -> None:
    assert krw_ko(amount) == korean
    assert krw_en(amount) == english
    assert krw_text(amount, "ko") == korean and krw_text(amount, "en") == english


def test_no_amount_is_a_dash() -> None:
    assert krw_text(None) == "—"
