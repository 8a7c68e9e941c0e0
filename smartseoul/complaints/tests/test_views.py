from __future__ import annotations

import json
from typing import Any

import pytest
from shapely.geometry import shape

from smartseoul.accounts.policy import SECOND_FACTOR_SESSION_KEY
from smartseoul.complaints.models import Complaint
from smartseoul.complaints.services import complaint_resolve, complaint_submit, media_upload

from .factories import ELF_EXECUTABLE, jpeg, upload

PHONE = "010-7777-1234"


@pytest.fixture
def reporter(make_user: Any, city: Any) -> Any:
    return make_user("reporter_kim", phone=PHONE, email="kim@example.org")


@pytest.fixture
def report(reporter: Any, categories: Any, jongno: Any) -> Complaint:
    photo = media_upload(owner=reporter, file=upload(jpeg()), source="capture")
    return complaint_submit(
        reporter=reporter,
        category_code="PARK-01",
        lat=jongno[0],
        lon=jongno[1],
        attributes={"PLATE": "34나5678", "ZONE": "BUS"},
        media_ids=[photo.pk],
        description=f"Blocked bus stop. Call me {PHONE} or kim@example.org",
    )


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _assert_private(text: str) -> None:
    assert PHONE not in text and "01077771234" not in _digits(text)
    assert "kim@example.org" not in text
    assert "reporter_kim" not in text
    assert "34나5678" not in text


def test_public_pages_never_show_the_reporter(client: Any, report: Complaint, official: Any) -> None:
    complaint_resolve(actor=official, number=report.number, note="Fined.", photo=upload(jpeg()))
    pages = [
        f"/complaints/r/{report.number}/",
        "/complaints/map/",
        "/complaints/",
        "/complaints/map/districts",
        "/complaints/map.geojson?zoom=18&period=all",
        "/complaints/map.geojson?mode=heat",
        f"/api/v1/complaints/reports/{report.number}",
        "/api/v1/complaints/districts",
        f"/complaints/nearby?category=PARK-01&lat={report.lat}&lon={report.lon}",
        "/open311/v2/requests.json?extensions=true",
        "/open311/v2/requests.xml?extensions=true",
        f"/open311/v2/requests/{report.number}.json?extensions=true",
        "/open311/v2/services.json",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_private(response.content.decode())


def test_report_page_shows_history_and_photos(client: Any, report: Complaint) -> None:
    page = client.get(f"/complaints/r/{report.number}/").content.decode()
    assert report.number in page and 'id="history"' in page
    assert report.media.first().public_path in page
    assert report.media.first().private_path not in page


def test_receipt_and_fine_flag_only_for_the_reporter(client: Any, reporter: Any, report: Complaint) -> None:
    from smartseoul.complaints.models import Complaint as C

    C.objects.filter(pk=report.pk).update(fine_without_visit=True)
    anonymous = client.get(f"/complaints/r/{report.number}/?new=1").content.decode()
    assert 'id="fine-flag"' not in anonymous and 'id="receipt"' not in anonymous
    client.force_login(reporter)
    mine = client.get(f"/complaints/r/{report.number}/?new=1").content.decode()
    assert 'id="fine-flag"' in mine and 'id="receipt-number"' in mine


def test_new_report_form_and_submit(client: Any, make_user: Any, categories: Any, jongno: Any) -> None:
    user = make_user()
    client.force_login(user)
    assert client.get("/complaints/new/").status_code == 200
    response = client.post(
        "/complaints/new/",
        {
            "category": "ROAD-01",
            "lat": jongno[0],
            "lon": jongno[1],
            "attr_ROAD-01_SIZE": "L",
            "description": "Deep hole",
        },
    )
    assert response.status_code == 302
    c = Complaint.objects.get()
    assert response["Location"] == f"/complaints/r/{c.number}/?new=1"
    assert c.attributes == {"SIZE": "L"}


def test_new_report_outside_city_shows_the_error(client: Any, make_user: Any, categories: Any) -> None:
    client.force_login(make_user())
    response = client.post("/complaints/new/", {"category": "ROAD-01", "lat": "35.18", "lon": "129.07"})
    assert response.status_code == 400
    assert 'data-code="outside_city"' in response.content.decode()
    assert Complaint.objects.count() == 0


def test_unverified_user_is_sent_to_phone_verification(client: Any, make_user: Any, categories: Any) -> None:
    client.force_login(make_user(verification=0))
    response = client.get("/complaints/new/")
    assert response.status_code == 302 and "/accounts/phone" in response["Location"]


def test_upload_endpoint_refuses_executables(client: Any, make_user: Any, city: Any) -> None:
    client.force_login(make_user())
    response = client.post("/complaints/media/upload", {"file": upload(ELF_EXECUTABLE, "cat.jpg"), "source": "capture"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "media_type_not_allowed"
    ok = client.post("/complaints/media/upload", {"file": upload(jpeg(), "cat.jpg"), "source": "capture"})
    assert ok.status_code == 201 and ok.json()["source"] == "capture" and ok.json()["captured_at"]


def test_originals_are_private(report: Complaint, make_user: Any, official: Any) -> None:
    from django.test import Client

    media = report.media.first()
    assert Client().get(f"/complaints/media/{media.pk}/original").status_code == 403
    other = Client()
    other.force_login(make_user())
    assert other.get(f"/complaints/media/{media.pk}/original").status_code == 403
    response = _official_session(Client(), official).get(f"/complaints/media/{media.pk}/original")
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"


def test_map_geojson_is_rfc7946(client: Any, report: Complaint) -> None:
    for mode in ("cluster", "heat"):
        fc = json.loads(client.get(f"/complaints/map.geojson?zoom=12&period=all&mode={mode}").content)
        assert fc["type"] == "FeatureCollection" and fc["features"]
        for f in fc["features"]:
            geom = shape(f["geometry"])
            assert geom.is_valid
            lon, lat = (
                f["geometry"]["coordinates"] if f["geometry"]["type"] == "Point" else f["geometry"]["coordinates"][0][0]
            )
            assert 124 < lon < 132 and 33 < lat < 39
            if f["geometry"]["type"] == "Polygon":
                from shapely.geometry import LinearRing

                assert LinearRing(f["geometry"]["coordinates"][0]).is_ccw
    single = json.loads(client.get("/complaints/map.geojson?zoom=18&period=all").content)["features"][0]
    assert single["id"] == report.number
    assert single["geometry"]["coordinates"] == [report.public_lon, report.public_lat]


def test_metoo_page_action(client: Any, report: Complaint, make_user: Any) -> None:
    client.force_login(make_user())
    response = client.post(f"/complaints/r/{report.number}/metoo", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "1" in response.content.decode()
    report.refresh_from_db()
    assert report.metoo_count == 1


def _official_session(client: Any, user: Any) -> Any:
    client.force_login(user)
    session = client.session
    session[SECOND_FACTOR_SESSION_KEY] = True
    session.save()
    return client


def test_office_queue_is_per_department(client: Any, report: Complaint, make_user: Any, official: Any) -> None:
    other = _official_session(client, make_user(role="official", department="11140-parking"))
    assert report.number not in other.get("/complaints/office/").content.decode()
    assert other.get(f"/complaints/office/r/{report.number}/").status_code == 403
    mine = _official_session(client, official)
    page = mine.get("/complaints/office/").content.decode()
    assert report.number in page
    partial = mine.get("/complaints/office/?status=all&category=PARK-01", HTTP_HX_REQUEST="true").content.decode()
    assert report.number in partial and "<html" not in partial
    detail = mine.get(f"/complaints/office/r/{report.number}/").content.decode()
    assert "34나5678" in detail  # the plate is for the department


def test_office_requires_second_factor_and_official(
    client: Any, report: Complaint, official: Any, citizen: Any
) -> None:
    client.force_login(official)
    assert client.get("/complaints/office/")["Location"].startswith("/accounts/second-factor/")
    client.force_login(citizen)
    assert client.get("/complaints/office/").status_code == 403


def test_office_actions_through_pages(client: Any, report: Complaint, official: Any) -> None:
    from smartseoul.core.models import AuditEvent

    c = _official_session(client, official)
    base = f"/complaints/office/r/{report.number}"
    assert c.post(f"{base}/reject", {"reason": ""}).status_code == 400
    assert c.post(f"{base}/resolve", {"note": "x"}).status_code == 400
    assert c.post(f"{base}/note", {"body": "internal only"}).status_code == 302
    assert "internal only" not in client.get(f"/complaints/r/{report.number}/").content.decode()
    assert c.post(f"{base}/resolve", {"note": "Fixed", "photo": upload(jpeg())}).status_code == 302
    report.refresh_from_db()
    assert report.status == "resolved"
    assert AuditEvent.objects.filter(action="complaints.resolve", ip__isnull=False).exists()


def test_office_bulk_page(client: Any, report: Complaint, official: Any) -> None:
    c = _official_session(client, official)
    response = c.post(
        "/complaints/office/bulk", {"numbers": [report.number], "action": "assign", "assignee": str(official.pk)}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "assigned" and report.assignee_id == official.pk


def test_api_submit_and_read(client: Any, make_user: Any, categories: Any, jongno: Any) -> None:
    user = make_user()
    client.force_login(user)
    response = client.post(
        "/api/v1/complaints/reports",
        {"category": "WALK-01", "lat": jongno[0], "lon": jongno[1]},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    number = response.json()["number"]
    assert client.get(f"/api/v1/complaints/reports/{number}").json()["status"] == "received"
    assert [r["number"] for r in client.get("/api/v1/complaints/reports/mine").json()] == [number]
    bad = client.post(
        "/api/v1/complaints/reports",
        {"category": "WALK-01", "lat": 35.1, "lon": 129.0},
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "outside_city"
    assert len(client.get("/api/v1/complaints/categories").json()) >= 12
