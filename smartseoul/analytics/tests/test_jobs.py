from __future__ import annotations

import json
from typing import Any

import pytest

from smartseoul.analytics import selectors, services
from smartseoul.analytics.errors import AnalyticsForbidden, PlanningRefused
from smartseoul.analytics.models import Job, JobKind, JobState


@pytest.mark.django_db
def test_plan_job_gives_routes_with_widths_stops_and_weekday_intervals(night_trips: Any, analyst: Any) -> None:
    job = services.job_create(kind=JobKind.PLAN, params={"routes": 5, "buses": 30}, actor=analyst)
    job = services.job_run(job_id=job.pk)
    assert job.state == JobState.DONE, (job.error_code, job.error_message)
    assert job.progress == 1.0
    routes = job.result["routes"]
    assert len(routes) == 5
    assert sum(r["buses"] for r in routes) == 30
    assert all(set(r["intervals_min"]) == {"mon", "tue", "wed", "thu", "fri", "sat", "sun"} for r in routes)
    assert all(r["length_km"] <= 25 for r in routes)
    assert 0 < job.result["share_served"] <= 1
    kinds = {f["properties"]["kind"] for f in job.geojson["features"]}
    assert kinds == {"route", "segment", "stop"}
    widths = [f["properties"]["width"] for f in job.geojson["features"] if f["properties"]["kind"] == "segment"]
    assert min(widths) < max(widths)
    assert selectors.latest_job(JobKind.PLAN) == job


@pytest.mark.django_db
@pytest.mark.parametrize(("params", "code"), [
    ({"routes": 0}, "bad_route_count"),
    ({"max_length_km": 0.3, "stop_spacing_m": 500}, "route_too_short"),
    ({"routes": 10, "buses": 5}, "too_few_buses"),
    ({"start_hour": 3, "end_hour": 3}, "bad_parameters"),
    ({"routes": "many"}, "bad_parameters"),
    ({"unknown": 1}, "bad_parameters"),
])
def test_impossible_planner_requests_get_a_clear_error_and_queue_nothing(
    analyst_client: Any, city: Any, params: dict[str, Any], code: str
) -> None:
    response = analyst_client.post("/api/v1/analytics/jobs", json.dumps({"kind": "plan", "params": params}),
                                   content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert Job.objects.count() == 0


@pytest.mark.django_db
def test_planner_service_refuses_zero_routes(city: Any, analyst: Any) -> None:
    with pytest.raises(PlanningRefused) as exc:
        services.job_create(kind=JobKind.PLAN, params={"routes": 0}, actor=analyst)
    assert exc.value.code == "bad_route_count"


@pytest.mark.django_db
def test_api_job_lifecycle_and_download(analyst_client: Any, night_trips: Any, django_capture_on_commit_callbacks:
                                        Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = analyst_client.post("/api/v1/analytics/jobs", json.dumps({"kind": "density", "params": {}}),
                                       content_type="application/json")
    assert response.status_code == 201
    job_id = response.json()["id"]
    body = analyst_client.get(f"/api/v1/analytics/jobs/{job_id}").json()
    assert body["state"] == "done" and body["geojson_url"]
    download = analyst_client.get(body["geojson_url"])
    assert download["Content-Type"] == "application/geo+json"
    assert "attachment" in download["Content-Disposition"]
    fc = download.json()
    assert fc["type"] == "FeatureCollection" and fc["features"]
    assert sum(f["properties"]["count"] for f in fc["features"]) == pytest.approx(body["result"]["total"])
    assert sum(body["result"]["by_hour"]) == pytest.approx(body["result"]["total"])
    assert sum(body["result"]["by_district"].values()) == pytest.approx(body["result"]["total"])


@pytest.mark.django_db
def test_a_cancelled_job_stops_and_keeps_no_result(night_trips: Any, analyst: Any) -> None:
    job = services.job_create(kind=JobKind.PLAN, params={}, actor=analyst)
    services.job_cancel(job_id=job.pk, actor=analyst)
    job.refresh_from_db()
    assert job.state == JobState.CANCELLED
    assert services.job_run(job_id=job.pk).state == JobState.CANCELLED  # the worker skips it
    # a running job sees the flag at its next progress check
    job2 = services.job_create(kind=JobKind.PLAN, params={}, actor=analyst)
    Job.objects.filter(pk=job2.pk).update(cancel_requested=True)
    job2 = services.job_run(job_id=job2.pk)
    assert job2.state == JobState.CANCELLED and job2.result == {} and job2.geojson is None
    with pytest.raises(Exception) as exc:
        services.job_cancel(job_id=job2.pk, actor=analyst)
    assert getattr(exc.value, "code", "") == "job_finished"


@pytest.mark.django_db
def test_only_analysts_run_jobs(client: Any, citizen: Any, night_trips: Any) -> None:
    with pytest.raises(AnalyticsForbidden):
        services.job_create(kind=JobKind.OD, params={}, actor=citizen)
    client.force_login(citizen)
    assert client.post("/api/v1/analytics/jobs", json.dumps({"kind": "od"}),
                       content_type="application/json").status_code == 403
    assert client.get("/api/v1/analytics/jobs").status_code == 403
    assert client.get("/analytics/").status_code == 403
    client.logout()
    assert client.get("/api/v1/analytics/jobs").status_code == 401


@pytest.mark.django_db
def test_od_job_top_flows_by_hour(night_trips: Any, analyst: Any) -> None:
    job = services.job_run(job_id=services.job_create(kind=JobKind.OD, params={"top": 50}, actor=analyst).pk)
    assert job.state == JobState.DONE
    feats = job.geojson["features"]
    assert 0 < len(feats) <= 50
    trips = [f["properties"]["trips"] for f in feats]
    assert trips == sorted(trips, reverse=True)
    assert all(sum(f["properties"]["by_hour"][5:]) == 0 for f in feats)  # window 00–05
    assert all(sum(f["properties"]["by_hour"]) == pytest.approx(f["properties"]["trips"]) for f in feats)
    assert sum(job.result["by_hour"]) == pytest.approx(job.result["total_trips"])


@pytest.mark.django_db
def test_siting_job_covers_demand(night_trips: Any, analyst: Any) -> None:
    job = services.job_run(job_id=services.job_create(
        kind=JobKind.SITING, params={"k": 5, "radius_m": 1500}, actor=analyst).pk)
    assert job.state == JobState.DONE
    assert len(job.result["sites"]) == 5
    covers = [s["covers"] for s in job.result["sites"]]
    assert covers == sorted(covers, reverse=True)
    assert 0 < job.result["share_covered"] < 1
    assert job.result["covered"] == pytest.approx(sum(covers), rel=1e-6)


@pytest.mark.django_db
def test_jobs_without_trips_fail_with_a_code(city: Any, analyst: Any) -> None:
    job = services.job_run(job_id=services.job_create(kind=JobKind.PLAN, params={}, actor=analyst).pk)
    assert job.state == JobState.FAILED and job.error_code == "no_trips"


@pytest.mark.django_db
def test_existing_routes_are_compared_with_a_plan(night_trips: Any, analyst: Any) -> None:
    from smartseoul.analytics.synth import HOT_SPOTS

    hongdae, gangnam = HOT_SPOTS[0], HOT_SPOTS[1]
    fc = {"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"name": "N26"},
        "geometry": {"type": "LineString", "coordinates": [[hongdae[2], hongdae[1]], [gangnam[2], gangnam[1]]]},
    }]}
    routes = services.existing_routes_upload(geojson=fc, actor=analyst)
    assert len(routes) == 1 and len(routes[0].cells) > 5
    job = services.job_run(job_id=services.job_create(kind=JobKind.PLAN, params={"routes": 3}, actor=analyst).pk)
    existing = job.result["existing"]
    assert existing["routes"][0]["name"] == "N26"
    assert 0 < existing["share"] < 1
    with pytest.raises(Exception) as exc:
        services.existing_routes_upload(geojson={"type": "FeatureCollection", "features": [{"geometry": None}]},
                                        actor=analyst)
    assert getattr(exc.value, "code", "") == "bad_route_file"


@pytest.mark.django_db
def test_a_job_refused_by_any_domain_error_fails_with_its_code(
    city: Any, analyst: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not only AnalyticsInvalid: a missing grid (404 class) keeps its code instead of "internal"."""
    from smartseoul.analytics import analysis
    from smartseoul.analytics.errors import AnalyticsErrorCode, AnalyticsNotFound

    def no_grid(*args: Any, **kwargs: Any) -> Any:
        raise AnalyticsNotFound("The city grid has not been built yet.", code=AnalyticsErrorCode.NO_GRID)

    monkeypatch.setattr(analysis, "run_od", no_grid)
    job = services.job_run(job_id=services.job_create(kind=JobKind.OD, params={"top": 5}, actor=analyst).pk)
    assert job.state == JobState.FAILED
    assert (job.error_code, job.error_message) == ("no_grid", "The city grid has not been built yet.")
