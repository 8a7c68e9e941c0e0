"""Background work of the mayor's office: computing one area's widget figures."""

from __future__ import annotations

from django_tasks import task

from . import services
from .selectors import AreaKey


@task()
def compute_area(period: str, district_code: str | None, neighborhood_code: str | None, internal: bool,
                 language: str) -> dict[str, int]:
    row = services.figures_compute(AreaKey(period, district_code, neighborhood_code, internal, language))
    failed = sum(1 for entry in row.figures.values() if entry.get("error"))
    return {"widgets": len(row.figures), "unavailable": failed}
