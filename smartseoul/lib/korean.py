"""Korean text for search: morpheme tokens with kiwipiepy, no Django.

Korean attaches particles and endings to words (주차장 + 을 → 주차장을) and writes compound
nouns without spaces (공영주차장), so matching whole space-separated words misses most hits.
`search_tokens` keeps the content morphemes (nouns, verb and adjective stems, roots, foreign
words and numbers) in lower case; an index stores them as one space-separated string and a
query is tokenised the same way, so "주차장" finds "주차장을" and "공영주차장".
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

# Part-of-speech tags (Sejong tag set as used by Kiwi) that carry content.
CONTENT_TAGS = frozenset(
    {
        "NNG",
        "NNP",
        "NNB",
        "NR",
        "NP",  # nouns, numerals, pronouns
        "VV",
        "VA",
        "XR",  # verb and adjective stems, roots
        "SL",
        "SH",
        "SN",  # Latin, Hanja, numbers
        "MAG",  # general adverbs (e.g. 실시간)
    }
)
# Tags of pieces too weak to index on their own when they are a single syllable.
_WEAK_SINGLE = frozenset({"NNB", "NP", "VV", "VA", "MAG"})
_LATIN_WORD = re.compile(r"[0-9a-z]+(?:[._-][0-9a-z]+)*")
_MAX_INPUT = 200_000  # characters tokenised per call; longer texts are cut

_lock = threading.Lock()
_kiwi: Any = None


def _analyser() -> Any:
    """One Kiwi instance per process (loading the model takes about two seconds)."""
    global _kiwi
    if _kiwi is None:
        with _lock:
            if _kiwi is None:
                from kiwipiepy import Kiwi

                _kiwi = Kiwi()
    return _kiwi


def normalise(text: str) -> str:
    """NFKC (full-width letters and digits become ASCII) and lower case."""
    return unicodedata.normalize("NFKC", text or "").lower()


def _has_hangul(text: str) -> bool:
    return any("\uac00" <= ch <= "\ud7a3" or "\u3131" <= ch <= "\u318e" for ch in text)


def tokens(text: str) -> list[str]:
    """Content morphemes of `text`, in order, lower-cased; duplicates kept."""
    text = normalise(text)[:_MAX_INPUT]
    if not text.strip():
        return []
    if not _has_hangul(text):
        return _LATIN_WORD.findall(text)
    out: list[str] = []
    for token in _analyser().tokenize(text):
        tag = token.tag.split("-")[0]
        if tag not in CONTENT_TAGS:
            continue
        form = token.form.strip().lower()
        if not form or (len(form) == 1 and tag in _WEAK_SINGLE):
            continue
        if tag in {"SL", "SN"}:
            continue  # Latin words and numbers come from the text itself, as without Hangul
        out.append(form)
    out.extend(_LATIN_WORD.findall(text))
    return out


@lru_cache(maxsize=4096)
def query_tokens(query: str) -> tuple[str, ...]:
    """Distinct tokens of a search query (cached: queries repeat)."""
    return tuple(dict.fromkeys(tokens(query)))


def search_text(*parts: str | Iterable[str] | None) -> str:
    """The pre-tokenised text an index stores: every token of every part, space-separated.

    Both SQLite FTS5 and PostgreSQL full-text then only split on spaces, so the two backends
    search exactly the same tokens."""
    words: list[str] = []
    for part in parts:
        if part is None:
            continue
        if isinstance(part, str):
            words.extend(tokens(part))
        else:
            for item in part:
                words.extend(tokens(item))
    return " ".join(words)
