"""Schemathesis over /api/v1/openapi.json, three times: anonymous, as a citizen (session cookie and
CSRF token, as the pages send them) and as an official who passed the second factor (the same
session plus an API key with every write scope). Every operation of the published schema gets a
fixed number of generated requests against the Seoul demo; path parameters name real rows most
of the time, so the operations behind them are fuzzed too, not only their 404.

Checks: no server error, every status declared by the operation, every body matching the schema
declared for its status. All failures of a run are collected and reported together.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from hypothesis import given
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from .fuzzing import (
    Identity,
    anonymous,
    citizen,
    fuzz_city,
    fuzz_demo,
    fuzz_dirs,
    fuzz_settings,
    in_process_requests,
    official,
)

__all__ = ["fuzz_city", "fuzz_demo", "fuzz_dirs", "in_process_requests"]  # fixtures this module uses

pytestmark = [pytest.mark.django_db, pytest.mark.slow, pytest.mark.xdist_group("fuzz-openapi")]

DEMO_MODULES = ("complaints", "voting", "democracy", "budget", "opendata", "sensors", "analytics", "dashboard")
EXAMPLES = 12  # generated requests per operation and identity (SMARTSEOUL_FUZZ_SCALE multiplies)
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


def real_path_values() -> dict[str, list[Any]]:
    """Real values for each path parameter of the schema, from the demo city."""
    from smartseoul.analytics.models import Job
    from smartseoul.budget.models import Cycle, Envelope, Project
    from smartseoul.complaints.models import Complaint
    from smartseoul.dashboard.selectors import catalogue
    from smartseoul.democracy.models import Inquiry, Proposal
    from smartseoul.opendata.models import Dataset, Resource
    from smartseoul.sensors.models import CareAlert, ParkingLot
    from smartseoul.voting.models import Ballot, Vote

    def first(model: Any, name: str = "pk") -> list[Any]:
        return [v if isinstance(v, int | str) else str(v)
                for v in model.objects.order_by("pk").values_list(name, flat=True)[:12]]

    return {
        "proposal_id": first(Proposal),
        "inquiry_id": first(Inquiry),
        "vote_id": first(Vote),
        "slug": first(Cycle, "slug"),
        "code": first(Project, "code"),
        "envelope_id": first(Envelope),
        "number": [c.number for c in Complaint.objects.order_by("pk")[:12]],
        "name": first(Dataset, "name"),
        "resource_id": first(Resource, "uid"),
        "lot_id": first(ParkingLot),
        "alert_id": first(CareAlert),
        "job_id": first(Job),
        "tracker": first(Ballot, "tracker"),
        "key": [layer.key for layer in catalogue(internal=False)][:12],
    }


@dataclass
class Run:
    operations: int = 0
    requests: int = 0
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    failures: dict[tuple[str, str], str] = field(default_factory=dict)

    def record(self, label: str, exc: BaseException) -> None:
        found = exc.exceptions if isinstance(exc, FailureGroup) else (exc,)
        for failure in found:
            title = failure.title if isinstance(failure, Failure) else type(failure).__name__
            self.failures.setdefault((label, title), str(exc)[:2000])

    def count(self, status: int) -> int:
        return sum(n for (_label, s), n in self.statuses.items() if s == status)

    def report(self) -> str:
        lines = [f"{len(self.failures)} failures over {self.operations} operations, {self.requests} requests"]
        lines += [f"--- {label}: {title}\n{text}" for (label, title), text in sorted(self.failures.items())]
        return "\n".join(lines)


def takes_input(operation: Any) -> bool:
    definition = operation.definition.raw
    return bool(definition.get("parameters")) or "requestBody" in definition


def fuzz_operation(run: Run, operation: Any, app: Any, identity: Identity, real: dict[str, list[Any]]) -> None:
    names = [p.name for p in operation.path_parameters]
    choices = st.fixed_dictionaries({n: st.sampled_from([None, *real.get(n, [])]) for n in names})

    cases = operation.as_strategy(GenerationMode.POSITIVE)
    if takes_input(operation):  # and requests that break the schema: wrong types, out of range, missing
        cases = st.one_of(cases, cases, operation.as_strategy(GenerationMode.NEGATIVE))

    @given(case=cases, chosen=choices)
    @fuzz_settings(EXAMPLES)
    def each(case: Any, chosen: dict[str, Any]) -> None:
        for name, value in chosen.items():
            if value is not None:  # a real row most of the time, the generated value otherwise
                case.path_parameters[name] = value
        cache.clear()  # rate limits would otherwise answer much of a run with 429
        response = case.call(app=app, headers=identity.headers, cookies=identity.cookies)
        run.requests += 1
        run.statuses[(operation.label, response.status_code)] += 1
        try:
            case.validate_response(response, checks=CHECKS, headers=identity.headers)
        except (Failure, FailureGroup) as exc:
            run.record(operation.label, exc)

    try:
        each()
    except Exception as exc:  # the generator or the transport itself failed
        run.record(operation.label, exc)


def fuzz(identity: Callable[[], Identity]) -> Run:
    from smartseoul.api import api

    schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1"))
    app, who, real, run = WSGIHandler(), identity(), real_path_values(), Run()
    for result in schema.get_all_operations():
        run.operations += 1
        fuzz_operation(run, result.ok(), app, who, real)
    return run


@pytest.mark.parametrize("identity", [anonymous, citizen, official], ids=["anonymous", "citizen", "official"])
def test_api_answers_every_generated_request_as_its_schema_declares(
    fuzz_demo: None, in_process_requests: None, identity: Callable[[], Identity]
) -> None:
    run = fuzz(identity)
    print(f"\n{identity.__name__}: {run.operations} operations, {run.requests} requests, statuses "
          f"{dict(sorted(Counter({s: run.count(s) for (_op, s) in run.statuses}).items()))}")
    assert run.operations >= 100
    assert not run.failures, run.report()
    me = run.statuses[("GET /api/v1/accounts/me", 200)]
    assert me == 0 if identity is anonymous else me > 0  # the identity is who the API thinks it is
    assert run.count(500) == 0
