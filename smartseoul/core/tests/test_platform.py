"""The shell: health, home, API docs, the CLI's contract, the demo's idempotence, log scrubbing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from smartseoul.cli import main
from smartseoul.core.demo import load_core_demo
from smartseoul.core.logging import scrub
from smartseoul.core.models import Department, District, Neighborhood


def test_healthz_reports_database_and_tasks(client, db):
    body = client.get("/healthz").json()
    assert body["status"] == "ok" and body["database"]["ok"] and body["tasks"]["ok"]


def test_home_renders_in_korean_and_english(client, city):
    ko = client.get("/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert 'lang="ko"' in ko
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    en = client.get("/").content.decode()
    assert 'lang="en"' in en and "Sign in" in en


def test_openapi_docs_are_served(client, db):
    assert client.get("/api/docs", follow=True).status_code == 200
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/city/locate" in schema["paths"]


def test_locate_api_answers_outside_city_with_a_code(client, city):
    assert client.get("/api/v1/city/locate", {"lat": 37.5663, "lon": 126.9779}).json()["district_code"] == "11140"
    response = client.get("/api/v1/city/locate", {"lat": 37.4563, "lon": 126.7052})
    assert response.status_code == 400 and response.json()["error"]["code"] == "outside_city"


def test_second_demo_run_changes_nothing(city):
    def snapshot():
        return (
            list(District.objects.order_by("code").values_list("code", "boundary")),
            list(Neighborhood.objects.order_by("code").values_list("code", "district_id")),
            list(Department.objects.order_by("code").values_list("code", "work_categories")),
        )

    before = snapshot()
    assert load_core_demo() == {"districts": 0, "neighborhoods": 0, "departments": 0}
    assert snapshot() == before


@pytest.mark.django_db
def test_cli_refuses_a_malformed_boundary_file_with_exit_2(city, tmp_path: Path, capsys):
    before = list(District.objects.order_by("code").values_list("code", "boundary"))
    bad = tmp_path / "broken.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}}]')
    assert main(["import-boundaries", str(bad), "--level", "gu"]) == 2
    captured = capsys.readouterr()
    assert "broken.geojson" in captured.out + captured.err
    wrong_shape = tmp_path / "point.geojson"
    wrong_shape.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"code": "11110", "name": "종로구"},
                        "geometry": {"type": "Point", "coordinates": [126.97, 37.57]},
                    }
                ],
            }
        )
    )
    assert main(["import-boundaries", str(wrong_shape), "--level", "gu"]) == 2
    assert list(District.objects.order_by("code").values_list("code", "boundary")) == before


@pytest.mark.django_db
def test_cli_imports_official_boundaries(city, shared_dir: Path):
    path = shared_dir / "seoul-boundaries" / "juso" / "2015" / "json" / "seoul_municipalities_geo.json"
    assert main(["import-boundaries", str(path), "--level", "gu"]) == 0
    assert District.objects.filter(boundary_source="official").count() == 25


def test_check_lists_what_production_lacks(settings, capsys, db):
    settings.PRODUCTION = True
    settings.SECRET_KEY = "short"
    settings.DEBUG = False
    assert main(["check"]) == 1
    out = capsys.readouterr().out
    assert "SECRET_KEY" in out and "SMARTSEOUL_HASH_KEY" in out


def test_log_scrubbing_masks_personal_data():
    text = scrub("call 010-1234-5678 or +82 10 9876 5432, rrn 900101-1234567, mail kim@example.kr")
    assert "1234-5678" not in text and "9876" not in text and "1234567" not in text and "kim@" not in text


def test_log_scrubbing_masks_seoul_openapi_keys():
    line = scrub('"GET /ss_abcdef123456/json/RealtimeCityAir/1/5/ HTTP/1.1" 200')
    assert "ss_abcdef123456" not in line and "/json/RealtimeCityAir/1/5/" in line


def test_daily_command_runs_every_module(city, capsys):
    assert main(["daily", "--date", "2026-11-02"]) in (0, 1)
    out = capsys.readouterr().out
    assert "democracy" in out and "complaints" in out
    assert main(["daily", "--date", "yesterday"]) == 2
