from __future__ import annotations

from typing import Any

import pytest

from smartseoul.analytics import selectors, services
from smartseoul.analytics.models import JobKind, JobState


@pytest.mark.django_db
def test_plan_job_end_to_end(night_trips: Any, analyst: Any) -> None:
    job = services.job_create(kind=JobKind.PLAN, params={"routes": 5}, actor=analyst)
    job = services.job_run(job_id=job.pk)
    assert job.state == JobState.DONE, (job.error_code, job.error_message)
    assert len(job.result["routes"]) == 5
    assert 0 < job.result["share_served"] <= 1
    segments = [f for f in job.geojson["features"] if f["properties"]["kind"] == "segment"]
    assert len({f["properties"]["width"] for f in segments}) > 3
    assert selectors.latest_job(JobKind.PLAN) == job
