from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from smartseoul.analytics.models import Job, JobState

from .test_import import CSV


@pytest.mark.django_db
def test_planner_form_with_impossible_constraints_shows_the_error(analyst_client: Any, night_trips: Any) -> None:
    response = analyst_client.post("/analytics/jobs/new/plan", {
        "plan-routes": "5", "plan-max_length_km": "0.2", "plan-stop_spacing_m": "500", "plan-buses": "40",
        "plan-alternatives": "3", "plan-start_hour": "0", "plan-end_hour": "5"})
    assert response.status_code == 400
    assert "정류장 간격보다 짧아" in response.content.decode()  # the planner's refusal, in the page's language
    assert b"route_too_short" not in response.content
    assert Job.objects.count() == 0


@pytest.mark.django_db
def test_import_form_reports_bad_rows(analyst_client: Any, city: Any) -> None:
    upload = SimpleUploadedFile("trips.csv", CSV.encode(), content_type="text/csv")
    response = analyst_client.post("/analytics/trips/import", {"file": upload})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="import-report"' in html and "출발지가 서울 밖입니다" in html
    assert "origin_outside_city" not in html  # the stored reason code, worded
    assert 'id="lake-rows">3<' in html


@pytest.mark.django_db
def test_every_job_page_renders_with_its_map(analyst_client: Any, night_trips: Any,
                                             django_capture_on_commit_callbacks: Any) -> None:
    for kind in ("plan", "od", "density", "siting"):
        data = {f"{kind}-start_hour": "0", f"{kind}-end_hour": "5" if kind != "density" else "24"}
        data.update({"plan": {"plan-routes": "3", "plan-max_length_km": "20", "plan-stop_spacing_m": "500",
                              "plan-buses": "12", "plan-alternatives": "2"},
                     "od": {"od-top": "100"}, "density": {"density-end": "origin"},
                     "siting": {"siting-k": "4", "siting-radius_m": "1000", "siting-demand": "residents"}}[kind])
        with django_capture_on_commit_callbacks(execute=True):
            response = analyst_client.post(f"/analytics/jobs/new/{kind}", data)
        assert response.status_code == 302, response.content[:500]
        job = Job.objects.latest("id")
        assert job.state == JobState.DONE, (kind, job.error_code, job.error_message)
        page = analyst_client.get(response["Location"])
        assert page.status_code == 200
        assert b'id="map"' in page.content and b"analytics/map.js" in page.content
        if kind == "density":  # districts by name, never by code, in either language
            korean = page.content.decode()
            assert re.search(r"<td>[가-힣]+구</td>", korean) and not re.search(r"<td>\d{5}</td>", korean)
            english = analyst_client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
            assert re.search(r"<td>[A-Z][a-z]+-gu</td>", english) and not re.search(r"<td>\d{5}</td>", english)
        status = analyst_client.get(f"/analytics/jobs/{job.pk}/status")
        assert b'data-state="done"' in status.content
    assert analyst_client.get("/analytics/").status_code == 200


@pytest.mark.django_db
def test_untitled_jobs_are_described_in_the_page_language(analyst_client: Any, night_trips: Any,
                                                         django_capture_on_commit_callbacks: Any) -> None:
    data = {"siting-start_hour": "0", "siting-end_hour": "5", "siting-k": "4", "siting-radius_m": "1000",
            "siting-demand": "residents"}
    with django_capture_on_commit_callbacks(execute=True):
        response = analyst_client.post("/analytics/jobs/new/siting", data)
    korean = analyst_client.get(response["Location"]).content.decode()
    assert "(00–05, 입지 4곳, 1000m)" in korean and "facility siting" not in korean
    english = analyst_client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "facility siting (00–05, 4 sites, 1000 m)" in english
    home = analyst_client.get("/analytics/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert ">facility siting (00–05, 4 sites, 1000 m)</a></td>" in home
