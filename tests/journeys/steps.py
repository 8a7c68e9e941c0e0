"""The steps a person takes, shared by the journeys: sign up, sign in, the second factor, and
the language check every page a journey lands on must pass."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import pyotp
from playwright.sync_api import Page, expect

DEMO_PASSWORD = os.environ.get("SMARTSEOUL_DEMO_PASSWORD", "seoul-demo-2026")
PASSWORD = "a-long-enough-passphrase-2026"
SECRETS: dict[str, str] = {}  # username -> authenticator key set up on the second-factor page

REPO = Path(__file__).resolve().parents[2]
CODE = re.compile(r"\b(\d{6})\b")
HANGUL = re.compile(r"[\uac00-\ud7a3]")
# Latin words a Korean page may show: names of standards, formats and units.
LATIN_OK = {
    "API",
    "CSV",
    "PDF",
    "JSON",
    "GeoJSON",
    "Open311",
    "CKAN",
    "DCAT",
    "QR",
    "SMS",
    "ID",
    "PM10",
    "PM2.5",
    "UV",
    "OpenAPI",
    "Seoul",
    "Smart",
    "English",
    "mVoting",
    "Excel",
    "URL",
    "TOTP",
    "km",
    "m",
    "ha",
    "SensorThings",
    "S-DoT",
    "Talk",
    "Map",
    "H3",
    "OD",
    "HTML",
    "XML",
    "RDF",
    "Turtle",
    "JSON-LD",
    "KRDS",
    "ko",
    "en",
}


@contextmanager
def allow_failures(page: Page) -> Iterator[None]:
    """For a step that deliberately causes an error response (a wrong code, a refused action)."""
    page.journey_watch.allowed += 1  # type: ignore[attr-defined]
    try:
        yield
    finally:
        page.journey_watch.allowed -= 1  # type: ignore[attr-defined]


def sign_up(page: Page, username: str, phone: str, password: str = PASSWORD) -> None:
    """Sign-up page, then the phone page with the code read from the development outbox page."""
    page.goto("/accounts/signup/")
    check_language(page)
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("#signup-submit")
    page.wait_for_url("**/accounts/phone/**")
    check_language(page)
    page.fill("#id_phone", phone)
    page.click("#send-code")
    page.wait_for_load_state()
    page.goto("/dev/outbox/")
    check_language(page)
    message = page.locator(".dev-message").first
    expect(message).to_be_visible()
    found = CODE.search(message.inner_text())
    assert found, f"the newest outbox message holds no 6-digit code: {message.inner_text()!r}"
    page.goto("/accounts/phone/")
    page.fill("#id_code", found.group(1))
    page.click("#confirm-code")
    page.wait_for_url("**/accounts/profile/**")
    check_language(page)


def sign_in(page: Page, username: str, password: str = DEMO_PASSWORD, *, check_pages: bool = True) -> None:
    """`check_pages=False`: the caller checks the pages' language itself (and wants every finding)."""
    page.goto("/accounts/login/")
    if check_pages:
        check_language(page)
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("#login-submit")
    page.wait_for_load_state()
    expect(page.locator("#id_password")).to_have_count(0)


def official_sign_in(page: Page, username: str, password: str = DEMO_PASSWORD, *, check_pages: bool = True) -> str:
    """Password, then the second factor: the first time, set up the key the page shows."""
    sign_in(page, username, password, check_pages=check_pages)
    page.wait_for_url("**/accounts/second-factor/**")
    if check_pages:
        check_language(page)
    if username not in SECRETS:
        shown = page.locator("#totp-secret")
        expect(shown).to_be_visible()
        secret = shown.get_attribute("data-totp-secret") or re.sub(r"\s+", "", shown.inner_text())
        assert re.fullmatch(r"[A-Z2-7]{16,}", secret), f"the page shows no key to set up: {secret!r}"
        SECRETS[username] = secret
    page.fill("#id_code", pyotp.TOTP(SECRETS[username]).now())
    page.click("#totp-submit")
    page.wait_for_load_state()
    assert "/accounts/second-factor/" not in page.url, page.locator("main").inner_text()
    if check_pages:
        check_language(page)
    return SECRETS[username]


def sign_out(page: Page) -> None:
    """From the header on a PC; from the menu on a phone, where the header keeps only a few icons."""
    if page.locator("#signout").is_visible():
        page.click("#signout")
    else:
        page.click("#menu-open")
        page.click("#signout-menu")
    page.wait_for_url("**/")


# --- language ------------------------------------------------------------------------------------


@cache
def _enum_values() -> frozenset[str]:
    """Every stored value a page must never show: the choices of the platform's model fields and
    every TextChoices in its models modules whose value is not its (English) label."""
    import importlib

    from django.apps import apps
    from django.db import models
    from django.utils import translation

    values: set[str] = set()
    for model in apps.get_models():
        if not model.__module__.startswith("smartseoul."):
            continue
        for f in model._meta.get_fields():
            for value, _label in getattr(f, "flatchoices", None) or ():
                if isinstance(value, str) and len(value) >= 3 and value not in LATIN_OK:
                    values.add(value)
    with translation.override("en"):
        for config in apps.get_app_configs():
            if not config.name.startswith("smartseoul."):
                continue
            try:
                module = importlib.import_module(f"{config.name}.models")
            except ModuleNotFoundError:
                continue
            for obj in vars(module).values():
                if isinstance(obj, type) and issubclass(obj, models.TextChoices) and obj is not models.TextChoices:
                    for value, label in obj.choices:
                        if len(value) >= 3 and value != str(label) and value not in LATIN_OK:
                            values.add(value)
    return frozenset(values)


_PLACEHOLDER = re.compile(r"%\([^)]+\)[sdifr]|%[sdif]|\{[\w.]*\}")
_TAG = re.compile(r"<[^>]+>")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")


def _english_words(text: str) -> list[str]:
    """The English words of an interface text (not the standard names and units a Korean page may show)."""
    return [w for w in _WORD.findall(text) if len(w) >= 3 and w not in LATIN_OK]


@cache
def _catalogue() -> tuple[frozenset[str], frozenset[str], tuple[re.Pattern[str], ...], tuple[str, ...]]:
    """From the .po files: (English msgids with a Korean translation, their Korean translations,
    patterns for the English msgids around a number or a name: "%(n)s ballots" finds "90 ballots",
    the Korean translations that keep English words: "Open API", "S-DoT 센서", longest first)."""
    import polib

    english: set[str] = set()
    korean: set[str] = set()
    kept: set[str] = set()
    patterns: dict[str, re.Pattern[str]] = {}
    for po_path in (REPO / "smartseoul").glob("**/locale/ko/LC_MESSAGES/django.po"):
        for entry in polib.pofile(str(po_path)):
            translated = entry.msgstr or next(iter(entry.msgstr_plural.values()), "")
            if not entry.obsolete and _english_words(entry.msgstr) and not _PLACEHOLDER.search(entry.msgstr):
                kept.add(entry.msgstr)
            if entry.obsolete or not translated or not HANGUL.search(translated):
                continue
            if len(entry.msgstr) >= 4 and "%" not in entry.msgstr and "{" not in entry.msgstr:
                korean.add(entry.msgstr)
            for msgid in filter(None, (entry.msgid, entry.msgid_plural)):
                if not _english_words(_PLACEHOLDER.sub(" ", _TAG.sub(" ", msgid))):
                    continue
                if _PLACEHOLDER.search(msgid) or "%%" in msgid or "<" in msgid:
                    parts = _PLACEHOLDER.split(_TAG.sub(" ", msgid.replace("%%", "%")).strip())
                    body = r"\S+".join(re.sub(r"(\\ )+", r"\\s+", re.escape(p)) for p in parts)
                    patterns[msgid] = re.compile(r"(?<![\w-])" + body + r"(?![\w-])")
                else:
                    english.add(msgid)
    return (
        frozenset(english),
        frozenset(korean),
        tuple(patterns.values()),
        tuple(sorted(kept, key=len, reverse=True)),
    )


def language_problems(text: str, lang: str) -> list[str]:
    """What a person reading `lang` should not see in `text`: raw codes, the other language.

    On a Korean page: a stored value (`in_progress`, `good`), a code with `_`, and the English
    interface text of the catalogues shown as whole words: single words ("Transport"), phrases,
    and messages around a number or a name ("90 ballots", from "%(n)s ballots"). The Korean
    translations themselves may keep English words ("Open API") and are not counted."""
    english, korean, patterns, kept = _catalogue()
    problems: list[str] = []
    if lang == "ko":
        for translation in kept:
            if translation in text:
                text = text.replace(translation, "\n")
        enums = _enum_values()
        for word in set(re.findall(r"(?<![\w/.@-])[A-Za-z][A-Za-z0-9_]*(?![\w/@-])", text)):
            if word in enums:
                problems.append(f"raw value {word!r}")
            elif "_" in word and word not in LATIN_OK:
                problems.append(f"raw code {word!r}")
        for m in english:
            if m in text and re.search(r"(?<![\w-])" + re.escape(m) + r"(?![\w-])", text):
                problems.append(f"untranslated {m!r}")
        for pattern in patterns:
            if found := pattern.search(text):
                problems.append(f"untranslated {' '.join(found.group(0).split())!r}")
    else:
        problems += [f"Korean interface text {m!r}" for m in korean if m in text]
    return sorted(set(problems))


VISIBLE_TEXT = """() => {
  const skip = "code, kbd, samp, script, style, [translate=no]";
  const pageLang = (document.documentElement.lang || "").slice(0, 2);
  // what people wrote, marked with the language it is written in (a Korean vote title on an English page)
  const otherLang = (el) => { const m = el.closest("[lang]"); return m && m.lang.slice(0, 2) !== pageLang; };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const parts = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || el.closest(skip) || otherLang(el) || !el.checkVisibility()) continue;
    parts.push(node.textContent);
  }
  for (const el of document.querySelectorAll("input[placeholder], [aria-label], img[alt]")) {
    if (el.closest(skip)) continue;
    parts.push(el.getAttribute("placeholder") || el.getAttribute("aria-label") || el.getAttribute("alt"));
  }
  return parts.join("\\n");
}"""


def check_language(page: Page) -> None:
    """Fails when the page's visible text shows raw codes or the other language's interface text.

    Text a person types or reads verbatim (user names, keys, codes in `<code>`, `<kbd>`, `<samp>` or
    under `translate="no"`) is not interface text and is not checked, nor is content marked with
    the language it is written in when that differs from the page's (`lang="ko"` on a Korean vote
    title shown on an English page)."""
    lang = getattr(page, "journey_lang", "ko")
    text = page.evaluate(VISIBLE_TEXT)
    problems = language_problems(text, lang)
    assert not problems, f"{page.url} ({lang}): " + "; ".join(problems)


def look(page: Page, name: str) -> None:
    """A screenshot for people to look at after the run (kept by CI with the test artefacts)."""
    out = REPO / "var" / "test-artefacts" / "journeys"
    out.mkdir(parents=True, exist_ok=True)
    size = "phone" if (page.viewport_size or {}).get("width", 0) < 800 else "desktop"
    page.screenshot(path=str(out / f"{name}-{size}-{getattr(page, 'journey_lang', 'ko')}.png"), full_page=True)
