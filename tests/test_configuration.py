"""Every environment variable the code reads is in `.env.example`, and the README explains each one."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READERS = r"(?:env|env_bool|env_list|os\.environ\.get|os\.getenv)"


def _read_by_code() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "smartseoul").rglob("*.py"):
        if "tests" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        names |= set(re.findall(READERS + r'\(\s*"([A-Z][A-Z0-9_]+)"', text))
        names |= set(re.findall(r'^[A-Z_]+_ENV = "([A-Z][A-Z0-9_]+)"', text, re.M))  # a name kept in a constant
        if "SMARTSEOUL_COMPLAINTS_{name}" in text:  # complaints limits: _limit("SUBMIT_PER_HOUR", …)
            names |= {f"SMARTSEOUL_COMPLAINTS_{n}" for n in re.findall(r'_limit\(\s*"([A-Z_]+)"', text)}
    return names


def _example() -> set[str]:
    return set(re.findall(r"^([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(encoding="utf-8"), re.M))


def _readme_table() -> set[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Configuration") : readme.index("## Deployment")]
    rows = "\n".join(row for row in section.splitlines() if row.startswith("| `"))
    return set(re.findall(r"`([A-Z][A-Z0-9_]+)`", rows))


def test_the_scan_finds_what_it_should() -> None:
    found = _read_by_code()
    assert {"SECRET_KEY", "SMARTSEOUL_DEMO_PASSWORD", "SMARTSEOUL_COMPLAINTS_VIDEO_MAX_SECONDS"} <= found


def test_every_variable_the_code_reads_is_in_env_example() -> None:
    assert sorted(_read_by_code() - _example()) == []


def test_env_example_holds_nothing_the_code_ignores() -> None:
    assert sorted(_example() - _read_by_code()) == []


def test_readme_explains_every_variable() -> None:
    assert sorted(_example() - _readme_table()) == []
