"""A logging filter that masks personal data (phone numbers, resident registration numbers,
e-mail addresses) in every log record, whatever module wrote it."""

from __future__ import annotations

import logging
import re

_PATTERNS = [
    # Seoul OpenAPI keys travel in the path: /<KEY>/<json|xml|xmlf|xls>/<SERVICE>/…
    (re.compile(r"/[^/\s\"]+/(?=(?:json|xml|xmlf|xls)/[A-Za-z0-9_]+/\d)"), "/***/"),
    (re.compile(r"\b\d{6}[- ]?[1-8]\d{6}\b"), "******-*******"),  # resident registration number
    (re.compile(r"(?<!\d)(?:\+82[- ]?|0)1[016789][- ]?\d{3,4}[- ]?\d{4}(?!\d)"), "010-****-****"),  # mobile
    (re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"), "***@***"),
]


def scrub(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class PersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the caller's bug; let logging report it
            return True
        cleaned = scrub(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        return True
