"""Pages, the native API (quota → 429), widgets, the demo and the commands."""

from __future__ import annotations

import argparse
import json

import pytest

from conftest import sign_in
from smartseoul.accounts.services import api_key_create
from smartseoul.core.registry import WidgetQuery
from smartseoul.opendata import commands, selectors, services

pytestmark = pytest.mark.django_db


def test_catalogue_pages(client, parking):
    assert "종로구 공영주차장을 안내합니다" in client.get("/opendata/", {"q": "주차장"}).content.decode()
    assert client.get("/opendata/", {"category": "transport", "sort": "popular"}).status_code == 200
    page = client.get("/opendata/dataset/jongno-parking/")
    assert page.status_code == 200 and "JongnoParking" in page.content.decode()
    preview = client.get("/opendata/dataset/jongno-parking/preview", {"q": "혜화"})
    assert "혜화 주차장" in preview.content.decode() and "세종로" not in preview.content.decode()
    chart = json.loads(
        client.get(
            "/opendata/dataset/jongno-parking/chart.json", {"x": "자치구", "y": "주차면수(CAPACITY)", "func": "sum"}
        ).content
    )
    assert chart == {
        "x": ["종로구"],
        "y": [735],
        "func": "sum",
        "x_label": "자치구",
        "y_label": "주차면수(CAPACITY) (합계)",
    }
    assert client.get("/opendata/dataset/jongno-parking/chart.json", {"x": "nope"}).status_code == 400
    geo = json.loads(client.get("/opendata/dataset/jongno-parking/map.geojson").content)
    assert len(geo["features"]) == 6
    lon, lat = geo["features"][0]["geometry"]["coordinates"]
    assert 124 < lon < 132 and 33 < lat < 39
    assert client.get("/opendata/stats/").status_code == 200
    assert client.get("/opendata/apps/").status_code == 200
    assert client.get("/opendata/requests/").status_code == 200
    assert client.get("/opendata/documents/").status_code == 200
    assert client.get("/opendata/dataset/unknown-one/").status_code == 404


def test_views_are_counted(client, parking):
    client.get("/opendata/dataset/jongno-parking/")
    res, _table = selectors.primary_table(parking)
    client.get(f"/dataset/jongno-parking/resource/{res.uid}/download/x.xlsx")
    usage = selectors.usage_for(parking)
    assert (usage["views"], usage["downloads"]) == (1, 1)


def test_publish_pages_need_a_publisher(client, citizen, parking, publisher):
    client.force_login(citizen)
    assert client.get("/opendata/publish/").status_code == 403
    client.force_login(publisher)  # the password alone: a publisher is a citizen until the second factor
    response = client.get("/opendata/publish/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/second-factor/")
    sign_in(client, publisher)
    assert client.get("/opendata/publish/").status_code == 200
    response = client.post(
        "/opendata/publish/", {"organization": "jongno-gu", "name": "Bad!", "title_ko": "", "category": "transport"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and "error-summary" in html and 'href="#name"' in html


def test_native_api_and_quota(client, parking, citizen):
    body = json.loads(client.get("/api/v1/opendata/datasets", {"q": "주차장"}).content)
    assert body["count"] == 1 and body["facets"]["groups"][0]["name"] == "transport"
    _key, raw = api_key_create(owner=citizen, name="tiny", scopes=["opendata:read"], daily_quota=1)
    res, _table = selectors.primary_table(parking)
    ok = client.get(f"/api/v1/opendata/resources/{res.uid}/rows", {"limit": 2}, HTTP_X_API_KEY=raw)
    assert ok.status_code == 200 and len(json.loads(ok.content)["records"]) == 2
    over = client.get(f"/api/v1/opendata/resources/{res.uid}/rows", HTTP_X_API_KEY=raw)
    assert over.status_code == 429 and json.loads(over.content)["error"]["code"] == "quota_exceeded"
    bad = client.get("/api/v1/opendata/datasets", HTTP_X_API_KEY="ss_wrong")
    assert bad.status_code == 403
    assert (
        client.post(
            "/api/v1/opendata/sql", json.dumps({"sql": "SELECT 1"}), content_type="application/json"
        ).status_code
        == 403
    )


def test_key_page_shows_usage(client, citizen, parking):
    client.force_login(citizen)
    response = client.post("/opendata/keys/", {"name": "내 앱", "kind": "service"})
    raw = response.context["new_key"]
    client.get(f"/{raw}/json/JongnoParking/1/3/")
    page = client.get("/opendata/keys/").content.decode()
    assert "내 앱" in page and raw not in page


def test_document_review_flow_in_pages(client, official):
    from smartseoul.accounts.policy import SECOND_FACTOR_SESSION_KEY

    client.force_login(official)
    session = client.session
    session[SECOND_FACTOR_SESSION_KEY] = True
    session.save()
    response = client.post(
        "/opendata/documents/office/",
        {
            "number": "주차-1",
            "title": "민원 회신",
            "body": "연락처 010-9876-5432",
            "doc_type": "approval",
            "department": "11110-parking",
            "produced_on": "2025-03-01",
            "disclosure": "open",
        },
    )
    assert response.status_code == 302
    review = response["Location"]
    client.post(review, {"action": "publish"})
    from smartseoul.opendata.models import Document

    doc = Document.objects.get(number="주차-1")
    assert doc.status == "blocked"
    finding = doc.findings.get()
    client.post(review, {"action": "redact", "finding": finding.pk})
    client.post(review, {"action": "publish"})
    doc.refresh_from_db()
    assert doc.status == "published" and "010-9876-5432" not in doc.body
    assert "민원 회신" in client.get("/opendata/documents/", {"q": "민원"}).content.decode()


def test_widgets_are_cheap_and_plain(parking):
    services.usage_count(dataset_id=parking.pk, kind="api_calls", n=3)
    from smartseoul.core import clock
    from smartseoul.core.registry import Period
    from smartseoul.opendata import widgets

    query = WidgetQuery(period=Period(clock.now(), clock.now()))
    assert widgets.usage_today(query)["value"] == 3
    assert widgets.popular(query)["items"][0]["url"] == "/opendata/dataset/jongno-parking/"
    assert len(widgets.usage_series(query)["series"]) == 30


def test_demo_is_idempotent(city):
    from smartseoul.opendata.demo import load_demo

    load_demo()
    first = selectors.catalogue_totals()
    load_demo()
    assert selectors.catalogue_totals() == first
    assert first["datasets"] > 60
    counts = selectors.category_counts()
    assert len(counts) == 12
    assert selectors.dataset_by_service("RealtimeCityAir") is not None
    assert selectors.search_datasets(selectors.SearchParams(q="무더위쉼터")).count >= 25


def test_import_command(official, tmp_path):
    csv_path = tmp_path / "docs.csv"
    csv_path.write_text(
        "number,title,doc_type,department_code,produced_on,disclosure,legal_ground,body,attachments\n"
        "C-1,계약 결과,contract,11110-parking,2025-01-02,open,,내용,\n",
        encoding="utf-8",
    )
    args = argparse.Namespace(csv=str(csv_path), files=None, publish=True, username="official")
    assert commands.import_documents(args) == 0
    assert selectors.documents_published(q="계약").count() == 1


def test_site_search_finds_datasets_and_published_documents(client, parking, make_user):
    from datetime import date

    officer = make_user("clerk", role="official", department="seoul-welfare")
    doc = services.document_create(
        actor=officer, number="교통-7", title="주차장 운영 회의록", body="주차장 요금 논의", doc_type="minutes",
        department_code="seoul-welfare", produced_on=date(2025, 7, 1),
    )
    hits = selectors.site_search_hits("주차장", None, 10)
    urls = [h.url for h in hits]
    assert "/opendata/dataset/jongno-parking/" in urls
    assert f"/opendata/documents/{doc.uid}/" not in urls  # not published yet
    services.document_publish(actor=officer, document=doc)
    urls = [h.url for h in selectors.site_search_hits("주차장", None, 10)]
    assert f"/opendata/documents/{doc.uid}/" in urls
    assert selectors.site_search_hits("주차장", None, 1)[0].url == "/opendata/dataset/jongno-parking/"
    page = client.get("/search/", {"q": "주차장"}).content.decode()
    assert "/opendata/dataset/jongno-parking/" in page
