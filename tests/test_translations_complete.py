"""Translations complete: every msgid in a Korean catalogue has a Korean translation that is not
fuzzy, and every string the code and the templates mark for translation is in a catalogue.

No browser, no GNU gettext: the catalogues are read with polib; the marked strings are found the way
`makemessages` finds them — `{% translate %}`/`{% trans %}`, `{% blocktranslate %}` (with `{{ x }}`
as `%(x)s`, `trimmed`, `count`/`{% plural %}`, `context`) and `_("…")` in templates; the gettext
family (`_`, `gettext`, `gettext_lazy`, `ngettext`, `pgettext` …, under any name they are imported
as) called on string literals in Python. Rendered Korean pages are checked in
tests/journeys/test_accessibility.py.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import polib
from django.utils.translation import trim_whitespace

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "smartseoul"

Key = tuple[str | None, str]  # (msgctxt, msgid)

# name -> (index of the context argument or None, index of the msgid argument)
GETTEXT: dict[str, tuple[int | None, int]] = {
    "gettext": (None, 0),
    "gettext_lazy": (None, 0),
    "gettext_noop": (None, 0),
    "ngettext": (None, 0),
    "ngettext_lazy": (None, 0),
    "pgettext": (0, 1),
    "pgettext_lazy": (0, 1),
    "npgettext": (0, 1),
    "npgettext_lazy": (0, 1),
}


def catalogues() -> list[Path]:
    return sorted(PACKAGE.glob("locale/ko/LC_MESSAGES/django.po")) + sorted(
        PACKAGE.glob("*/locale/ko/LC_MESSAGES/django.po")
    )


@cache
def _entries() -> tuple[tuple[Path, polib.POEntry], ...]:
    return tuple((path, e) for path in catalogues() for e in polib.pofile(str(path)) if not e.obsolete)


def _rel(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


# --- what the sources mark for translation -----------------------------------------------------

_STR = r"(?:\"((?:[^\"\\]|\\.)*)\"|'((?:[^'\\]|\\.)*)')"
_TRANSLATE = re.compile(r"{%\s*trans(?:late)?\s+" + _STR + r"((?:\s+[^%]*?)?)\s*%}", re.S)
_BLOCK = re.compile(
    r"{%\s*blocktrans(?:late)?\b(?P<opts>[^%]*)%}(?P<body>.*?)(?:{%\s*plural\s*%}(?P<plural>.*?))?"
    r"{%\s*endblocktrans(?:late)?\s*%}",
    re.S,
)
_UNDERSCORE = re.compile(r"\b_\(\s*" + _STR + r"\s*\)")
_CONTEXT = re.compile(r"\bcontext\s+" + _STR)
_VAR = re.compile(r"{{\s*([\w.]+)\s*}}")


def _unquote(double: str | None, single: str | None) -> str:
    raw = double if double is not None else single or ""
    return re.sub(r"\\(.)", r"\1", raw)


def _block_msgid(body: str, trimmed: bool) -> str:
    text = _VAR.sub(lambda m: "\0" + m.group(1) + "\0", body.replace("%", "%%"))
    text = re.sub(r"\0([\w.]+)\0", r"%(\1)s", text)
    return trim_whitespace(text) if trimmed else text


def template_msgids(text: str) -> Iterator[tuple[Key, int]]:
    """(msgctxt, msgid) and line for each string a template marks for translation."""
    for m in _TRANSLATE.finditer(text):
        ctx = _CONTEXT.search(m.group(3) or "")
        msgid = _unquote(m.group(1), m.group(2)).replace("%", "%%")  # as Django looks it up
        yield (_unquote(*ctx.groups()) if ctx else None, msgid), text.count("\n", 0, m.start()) + 1
    for m in _BLOCK.finditer(text):
        opts = m.group("opts")
        ctx = _CONTEXT.search(opts)
        trimmed = re.search(r"\btrimmed\b", opts) is not None
        yield (
            (_unquote(*ctx.groups()) if ctx else None, _block_msgid(m.group("body"), trimmed)),
            text.count("\n", 0, m.start()) + 1,
        )
    for m in _UNDERSCORE.finditer(text):
        yield (None, _unquote(m.group(1), m.group(2)).replace("%", "%%")), text.count("\n", 0, m.start()) + 1


def _gettext_names(tree: ast.Module) -> dict[str, tuple[int | None, int]]:
    """The names this file calls the gettext family by (`gettext_lazy as _` …)."""
    names: dict[str, tuple[int | None, int]] = {"_": (None, 0)}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("django.utils.translation"):
            for alias in node.names:
                if alias.name in GETTEXT:
                    names[alias.asname or alias.name] = GETTEXT[alias.name]
    return names


def python_msgids(text: str) -> Iterator[tuple[Key, int]]:
    tree = ast.parse(text)
    names = _gettext_names(tree)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        f = node.func
        name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
        if isinstance(f, ast.Attribute) and name not in GETTEXT:
            continue
        spec = names.get(name) if isinstance(f, ast.Name) else GETTEXT.get(name)
        if spec is None:
            continue
        ctx_at, msg_at = spec
        args = node.args
        if len(args) <= msg_at:
            continue
        msg = args[msg_at]
        ctx = args[ctx_at] if ctx_at is not None else None
        if not (isinstance(msg, ast.Constant) and isinstance(msg.value, str)):
            continue  # a variable: what it holds is marked where it is defined
        if ctx is not None and not (isinstance(ctx, ast.Constant) and isinstance(ctx.value, str)):
            continue
        yield (ctx.value if ctx is not None else None, msg.value), node.lineno  # type: ignore[union-attr]


def sources() -> Iterator[Path]:
    yield from sorted((REPO / "templates").rglob("*.html"))
    for path in sorted(PACKAGE.rglob("*")):
        parts = set(path.relative_to(PACKAGE).parts)
        if parts & {"tests", "migrations", "locale", "__pycache__", "static"} or path.name.startswith("test_"):
            continue
        if (path.suffix in {".html", ".txt"} and "templates" in parts) or path.suffix == ".py":
            yield path


def marked() -> dict[Key, list[str]]:
    """Every marked string -> where it is marked (file:line)."""
    found: dict[Key, list[str]] = {}
    for path in sources():
        text = path.read_text(encoding="utf-8")
        pairs = python_msgids(text) if path.suffix == ".py" else template_msgids(text)
        for key, line in pairs:
            if key[1].strip():
                found.setdefault(key, []).append(f"{_rel(path)}:{line}")
    return found


# --- the tests ---------------------------------------------------------------------------------


def test_the_extraction_finds_what_makemessages_finds() -> None:
    """The finder itself: the forms the templates and the code use."""
    tpl = (
        "{% translate \"Report a problem\" %}{% translate '5% more' %} {% trans 'Vote' context \"verb\" %}\n"
        "{% blocktranslate trimmed with n=x %}\n  {{ n }} days\n  left (100%){% endblocktranslate %}\n"
        "{% blocktranslate count n=c %}{{ n }} ballot{% plural %}{{ n }} ballots{% endblocktranslate %}"
        '{{ v|default:_("None yet") }}'
    )
    assert [k for k, _ in template_msgids(tpl)] == [
        (None, "Report a problem"),
        (None, "5%% more"),
        ("verb", "Vote"),
        (None, "%(n)s days left (100%%)"),
        (None, "%(n)s ballot"),
        (None, "None yet"),
    ]
    code = (
        "from django.utils.translation import gettext_lazy as _, pgettext, ngettext as n_\n"
        "A = _('Open')\nB = pgettext('status', 'Done')\nC = n_('%(n)s vote', '%(n)s votes', 2)\nD = _(name)\n"
    )
    assert [k for k, _ in python_msgids(code)] == [(None, "Open"), ("status", "Done"), (None, "%(n)s vote")]


def test_every_korean_catalogue_entry_is_translated_and_not_fuzzy() -> None:
    assert len(catalogues()) >= 9, [str(p) for p in catalogues()]
    problems = []
    for path, entry in _entries():
        if entry.fuzzy:
            problems.append(f"{_rel(path)}:{entry.linenum}: fuzzy {entry.msgid!r}")
        elif not entry.translated():
            problems.append(f"{_rel(path)}:{entry.linenum}: no Korean for {entry.msgid!r}")
    assert not problems, f"{len(problems)} catalogue entries have no Korean translation:\n" + "\n".join(problems)


def test_every_string_marked_for_translation_is_in_a_catalogue() -> None:
    known = {(e.msgctxt, e.msgid) for _, e in _entries()}
    found = marked()
    assert len(found) > 500, f"the finder found only {len(found)} marked strings"
    missing = sorted((where[0], key) for key, where in found.items() if key not in known)
    lines = [f"{where}: {msgid!r}" + (f" (context {ctx!r})" if ctx else "") for where, (ctx, msgid) in missing]
    assert not missing, f"{len(missing)} marked strings are in no Korean catalogue:\n" + "\n".join(lines)


def test_a_string_reads_the_same_in_every_catalogue() -> None:
    """Django merges the catalogues into one: a msgid translated two ways shows one module's
    wording on another's pages (a receipt's "Verify" read as the second factor's "인증"). A string
    that means two things takes a context (`pgettext`, `{% translate … context … %}`)."""
    seen: dict[Key, dict[str, str]] = {}
    for path, entry in _entries():
        seen.setdefault((entry.msgctxt, entry.msgid), {})[_rel(path)] = entry.msgstr
    clashes = [
        f"{msgid!r}" + (f" (context {ctx!r})" if ctx else "") + ": " + ", ".join(f"{p} {s!r}" for p, s in where.items())
        for (ctx, msgid), where in seen.items() if len(set(where.values())) > 1
    ]
    assert not clashes, f"{len(clashes)} strings are translated differently in two catalogues:\n" + "\n".join(clashes)


def test_every_catalogue_entry_is_what_a_korean_page_shows() -> None:
    """Django merges the modules' catalogues with its own (the admin's "History" is "히스토리"), and an
    app listed earlier outranks a later one: each entry must survive the merge. An entry Django words
    otherwise goes in the project catalogue (smartseoul/locale), which outranks every app."""
    from django.utils import translation
    from django.utils.translation import gettext, pgettext

    lost = []
    with translation.override("ko"):
        for path, entry in _entries():
            if entry.msgid_plural:
                continue
            shown = pgettext(entry.msgctxt, entry.msgid) if entry.msgctxt else gettext(entry.msgid)
            if shown != entry.msgstr:
                lost.append(f"{_rel(path)}: {entry.msgid!r} is shown as {shown!r}, not {entry.msgstr!r}")
    assert not lost, f"{len(lost)} translations lost in the merge:\n" + "\n".join(lost)
