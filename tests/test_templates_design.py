"""One design system: only the base layout draws the site's header, menu and footer, and no page
shows an emoji as an icon (an empty box wherever the emoji font is missing; icons come from the
SVG sprite).

No browser: the templates, the site's own scripts, the Python strings that become labels and the
registry's icon fields are read as text.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BASE = REPO / "templates" / "base.html"
ADMIN_OVERRIDE = REPO / "templates" / "admin"

# Emoji and pictographs: Miscellaneous Symbols and Pictographs … Symbols and Pictographs Extended-A,
# Miscellaneous Symbols and Dingbats, Mahjong/Domino/Playing Cards/Enclosed Alphanumeric and
# Ideographic Supplements, Miscellaneous Symbols and Arrows, and the emoji variation selector.
EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf\U0001f000-\U0001f2ff\u2b00-\u2bff\ufe0f]")

# Python whose strings go to a terminal or to docs/, never to a page.
NOT_PAGES = {
    "smartseoul/cli.py",  # command-line output
    "smartseoul/core/access.py",  # the access matrix written to docs/ as Markdown
}


def _rel(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


def _templates() -> list[Path]:
    found = list((REPO / "templates").rglob("*.html"))
    found += [p for p in (REPO / "smartseoul").rglob("templates/**/*.html")]
    return sorted(set(found))


def _base_layout() -> set[Path]:
    """base.html and the partials it includes (directly or through another partial)."""
    by_name: dict[str, Path] = {}
    for path in _templates():
        parts = path.parts
        at = len(parts) - 1 - parts[::-1].index("templates")
        by_name["/".join(parts[at + 1 :])] = path
    layout: set[Path] = set()
    todo = [BASE]
    while todo:
        path = todo.pop()
        if path in layout:
            continue
        layout.add(path)
        for name in re.findall(r"{%\s*include\s+[\"']([^\"']+)[\"']", path.read_text(encoding="utf-8")):
            if name in by_name:
                todo.append(by_name[name])
    return layout


def _line(text: str, at: int) -> int:
    return text.count("\n", 0, at) + 1


_NAV = re.compile(r"<(nav)\b([^>]*)>(.*?)</nav>|<(\w+)\b([^>]*\brole=[\"']navigation[\"'][^>]*)>", re.S | re.I)
_URL_TAG = re.compile(r"{%\s*url\s+[\"']([\w-]+):")
_HREF = re.compile(r"href=[\"'](/[\w-]*)")
_MENU_WORDS = re.compile(r"\b(main|site|global|gnb|menu|masthead)\b", re.I)


def _site_menu(attrs: str, body: str) -> str | None:
    """Why a <nav> is a site menu (links to several modules, or labelled as the main menu)."""
    label = " ".join(re.findall(r"(?:class|id|aria-label)=[\"']([^\"']*)[\"']", attrs))
    if _MENU_WORDS.search(label):
        return f"labelled {label!r}"
    targets = set(_URL_TAG.findall(body)) | {h.strip("/") or "home" for h in _HREF.findall(body)}
    targets |= {"home" for _ in re.finditer(r"{%\s*url\s+[\"']home[\"']", body)}
    if len(targets) >= 2:
        return f"links to {', '.join(sorted(targets))}"
    return None


def test_only_the_base_layout_draws_the_header_menu_and_footer() -> None:
    layout = _base_layout()
    problems: list[str] = []
    for path in _templates():
        if path in layout or ADMIN_OVERRIDE in path.parents:
            continue
        text = path.read_text(encoding="utf-8")
        where = _rel(path)
        for m in re.finditer(r"<(header|footer)\b", text, re.I):
            problems.append(f"{where}:{_line(text, m.start())}: its own <{m.group(1).lower()}>")
        for m in re.finditer(r"role=[\"'](banner|contentinfo)[\"']", text, re.I):
            problems.append(f"{where}:{_line(text, m.start())}: role={m.group(1)!r}")
        for m in _NAV.finditer(text):
            attrs, body = (m.group(2), m.group(3)) if m.group(1) else (m.group(5), "")
            why = _site_menu(attrs or "", body or "")
            if why:
                problems.append(f"{where}:{_line(text, m.start())}: its own site menu ({why})")
    assert BASE.exists(), "templates/base.html is the one base layout"
    assert not problems, f"{len(problems)} templates draw what only the base layout may:\n" + "\n".join(problems)


def _emoji_in(text: str) -> list[str]:
    return sorted({f"U+{ord(c):04X} {c}" for c in EMOJI.findall(text)})


def test_no_template_or_site_script_shows_an_emoji() -> None:
    files = _templates()
    for root in (REPO / "static", REPO / "smartseoul"):
        files += [p for p in root.rglob("*.js") if "vendor" not in p.parts and "/static/" in p.as_posix()]
        files += [p for p in root.rglob("*.css") if "vendor" not in p.parts and "/static/" in p.as_posix()]
    problems = []
    for path in sorted(set(files)):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if found := _emoji_in(line):
                problems.append(f"{_rel(path)}:{n}: {', '.join(found)}")
    assert not problems, f"{len(problems)} lines show an emoji (use the SVG sprite):\n" + "\n".join(problems)


def _printed(tree: ast.AST) -> set[int]:
    """ids of the nodes inside print(…) / console.print(…) calls: terminal output, not pages."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
            if name == "print":
                inside.update(id(n) for n in ast.walk(node))
    return inside


def _docstrings(tree: ast.AST) -> set[int]:
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def test_no_label_or_icon_field_in_the_code_is_an_emoji() -> None:
    """Strings in the platform's code that reach pages: tile and marker icons, category symbols,
    labels. Tests, migrations and terminal output are not pages."""
    problems = []
    for path in sorted((REPO / "smartseoul").rglob("*.py")):
        where = _rel(path)
        if "tests" in path.parts or "migrations" in path.parts or where in NOT_PAGES:
            continue
        if path.name.startswith("test_"):
            continue
        text = path.read_text(encoding="utf-8")
        if not EMOJI.search(text):
            continue
        tree = ast.parse(text)
        skip = _printed(tree) | _docstrings(tree)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str)) or id(node) in skip:
                continue
            if found := _emoji_in(node.value):
                problems.append(f"{where}:{node.lineno}: {node.value[:40]!r} ({', '.join(found)})")
    assert not problems, f"{len(problems)} strings use an emoji as an icon:\n" + "\n".join(problems)


@pytest.mark.django_db
def test_registry_tiles_layers_and_places_carry_no_emoji() -> None:
    """What the registry hands to pages at run time: tiles, map layers (title, style, legend),
    widget titles, the kinds of places on the map."""
    from smartseoul.core import registry
    from smartseoul.core.poi import DEFAULT_TYPES

    problems = []
    for tile in registry.tiles():
        for value in (tile.icon, str(tile.title), str(tile.description)):
            if found := _emoji_in(value):
                problems.append(f"tile {tile.url_name}: {value!r} ({', '.join(found)})")
    for layer in registry.layers():
        values = [str(layer.title), *map(str, layer.style.values()), *map(str, layer.legend.values())]
        for value in values:
            if found := _emoji_in(value):
                problems.append(f"map layer {layer.key}: {value!r} ({', '.join(found)})")
    for widget in registry.widgets():
        if found := _emoji_in(str(widget.title)):
            problems.append(f"widget {widget.key}: {widget.title!r} ({', '.join(found)})")
    for spec in DEFAULT_TYPES:
        if found := _emoji_in(spec.icon):
            problems.append(f"place kind {spec.key}: {spec.icon!r} ({', '.join(found)})")
    assert not problems, f"{len(problems)} registry entries show an emoji:\n" + "\n".join(problems)
