"""One error hierarchy for the whole platform (docs/architecture.md, core/errors.py).

Every module's `errors.py` has one base class deriving from `core.errors.DomainError` (say
`VotingError`), and every other exception class of the module derives from that base AND from
exactly one of core's status classes, so that `except VotingError` catches every voting error
and `except PermissionDenied` every refusal, whichever module raised it. Each class answers the
status of its status class (or an intended exception listed here) and a code of its own or of
its status class, never the module base's catch-all code. Module code raises these classes, never
a bare core status class.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from smartseoul.core.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    NotFound,
    PermissionDenied,
    RateLimited,
    Unavailable,
)

PACKAGE = Path(__file__).resolve().parents[1] / "smartseoul"
STATUS_CLASSES: tuple[type[DomainError], ...] = (
    InvalidInput, NotFound, PermissionDenied, Conflict, RateLimited, Unavailable,
)
# Statuses that differ from the status class on purpose, each with its reason.
INTENDED_STATUS = {
    "smartseoul.sensors.errors.GatewayRequired": 401,  # a missing credential, not a refusal of a known caller
}
MODULES = sorted(p.parent.name for p in PACKAGE.glob("*/errors.py"))


def _classes(module: object) -> list[type[BaseException]]:
    return [
        obj for obj in vars(module).values()
        if isinstance(obj, type) and issubclass(obj, BaseException) and obj.__module__ == module.__name__  # type: ignore[attr-defined]
    ]


def _base(app: str, classes: list[type[BaseException]]) -> type[DomainError]:
    if app == "core":
        return DomainError
    bases = [c for c in classes if c.__bases__ == (DomainError,)]
    assert len(bases) == 1, (
        f"smartseoul/{app}/errors.py needs exactly one base class deriving from DomainError alone, "
        f"found {[b.__name__ for b in bases]}"
    )
    return bases[0]  # type: ignore[return-value]


def hierarchy_problems(app: str) -> list[str]:
    module = importlib.import_module(f"smartseoul.{app}.errors")
    classes = _classes(module)
    base = _base(app, classes)
    problems = []
    for cls in classes:
        name = f"{cls.__module__}.{cls.__qualname__}"
        if cls is base or cls in STATUS_CLASSES:
            continue
        if not issubclass(cls, base):
            problems.append(f"{name} does not derive from {base.__name__}")
            continue
        statuses = [s for s in STATUS_CLASSES if issubclass(cls, s)]
        if len(statuses) != 1:
            problems.append(f"{name} derives from {len(statuses)} core status classes, not exactly one: "
                            f"{[s.__name__ for s in statuses]}")
            continue
        intended = INTENDED_STATUS.get(name, statuses[0].status)
        answered = cls.status  # type: ignore[attr-defined]
        instance_status = cls("probe").status  # type: ignore[call-arg, attr-defined]
        if answered != intended or instance_status != intended:
            problems.append(f"{name} answers {answered} (instance {instance_status}), intended {intended}")
        code_owner = next(k for k in cls.__mro__ if "default_code" in vars(k))
        if code_owner is base or code_owner is DomainError:
            problems.append(f"{name} takes its default code {cls.default_code!r} from {code_owner.__name__}; "  # type: ignore[attr-defined]
                            "give it its own or put the status class first in its bases")
    return problems


@pytest.mark.parametrize("app", MODULES)
def test_every_error_derives_from_its_module_base_and_one_status_class(app: str) -> None:
    assert hierarchy_problems(app) == []


def test_every_module_with_errors_is_checked() -> None:
    assert {"accounts", "analytics", "budget", "complaints", "core", "dashboard", "democracy", "opendata",
            "sensors", "voting"} <= set(MODULES)


def test_a_class_breaking_the_rule_is_found(monkeypatch: pytest.MonkeyPatch) -> None:
    """The check itself can fail: a voting error outside VotingError, as defect 2 had it."""
    from smartseoul.voting import errors

    class Stray(PermissionDenied):
        default_code = "stray"

    class NoStatus(errors.VotingError):
        default_code = "no_status"

    class GenericCode(errors.VotingError, NotFound):
        pass

    for cls in (Stray, NoStatus, GenericCode):
        cls.__module__ = errors.__name__
        monkeypatch.setattr(errors, cls.__name__, cls, raising=False)
    problems = "\n".join(hierarchy_problems("voting"))
    assert "Stray does not derive from VotingError" in problems
    assert "NoStatus derives from 0 core status classes" in problems
    assert "GenericCode takes its default code 'voting_error'" in problems


def test_not_eligible_is_a_voting_error_answering_403() -> None:
    from smartseoul.voting.errors import NotEligible, VotingError

    with pytest.raises(VotingError) as caught:
        raise NotEligible("This vote is for residents of other districts.", code="wrong_district")
    assert isinstance(caught.value, PermissionDenied)
    assert caught.value.status == 403 and caught.value.code == "wrong_district"


def _bare_core_raises(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {c.__name__ for c in (DomainError, *STATUS_CLASSES)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            func = node.exc.func
            called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if called in names:
                found.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno} raises {called}")
    return found


def test_modules_raise_their_own_errors_not_bare_core_classes() -> None:
    """A bare `PermissionDenied` raised in the voting module escapes `except VotingError`."""
    found = []
    for app in MODULES:
        if app == "core":
            continue
        for path in sorted((PACKAGE / app).rglob("*.py")):
            if "tests" not in path.relative_to(PACKAGE / app).parts:
                found += _bare_core_raises(path)
    assert found == []
