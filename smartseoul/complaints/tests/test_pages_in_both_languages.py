"""The complaints pages read whole in the page's language: places by their English names on an
English page (a Korean address marked `lang="ko"`), statuses by their labels on the Talk Map's
legend and in its map data, counts translated whole."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.messages import get_messages

from conftest import sign_in
from smartseoul.complaints.models import Complaint, Status
from smartseoul.complaints.services import complaint_submit

HANGUL = re.compile("[\uac00-\ud7a3]")


def _text(html: str) -> str:
    """What a person reads: the page without its scripts, styles and tags."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _report(citizen: Any, jongno: Any, address: str) -> Complaint:
    return complaint_submit(
        reporter=citizen, category_code="PARK-01", lat=jongno[0], lon=jongno[1], address=address,
        attributes={"PLATE": "12가3456", "ZONE": "BUS"},
    )


@pytest.fixture
def district_only(citizen: Any, categories: Any, jongno: Any) -> Complaint:
    return _report(citizen, jongno, "종로구")  # what a pin without a street address is filed under


@pytest.fixture
def street(citizen: Any, categories: Any, jongno: Any) -> Complaint:
    return _report(citizen, jongno, "세종대로 110")


def _place(html: str) -> str:
    found = re.search(r'<dd id="report-place">(.*?)</dd>', html, re.S)
    assert found, "the report page names its place"
    return found.group(1)


def test_a_place_that_only_names_its_district_reads_in_english_on_an_english_page(
    client: Any, district_only: Complaint
) -> None:
    en = _place(client.get(f"/complaints/r/{district_only.number}/", HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert "Jongno-gu" in en and not HANGUL.search(en), en
    ko = _place(client.get(f"/complaints/r/{district_only.number}/", HTTP_ACCEPT_LANGUAGE="ko").content.decode())
    assert ko.count("종로구") == 1 and "Jongno" not in ko, ko


def test_a_korean_street_address_is_marked_korean_on_an_english_page(client: Any, street: Complaint) -> None:
    en = _place(client.get(f"/complaints/r/{street.number}/", HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert '<span lang="ko">세종대로 110</span>' in en and en.rstrip().endswith("Jongno-gu"), en
    ko = _place(client.get(f"/complaints/r/{street.number}/", HTTP_ACCEPT_LANGUAGE="ko").content.decode())
    assert "lang=" not in ko and "세종대로 110" in ko and "종로구" in ko


def test_the_english_work_queue_names_places_in_english_and_counts_updates_whole(
    client: Any, official: Any, district_only: Complaint
) -> None:
    sign_in(client, official)
    html = client.get("/complaints/office/?status=all", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    places = re.findall(r'<td role="cell" class="q-place">(.*?)</td>', html, re.S)
    assert places and all("Jongno-gu" in p and not HANGUL.search(p) for p in places), places
    response = client.post(
        "/complaints/office/bulk",
        {"numbers": [district_only.number], "action": "start", "next": "/complaints/office/"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["1 report updated."]


def test_the_talk_map_legend_names_every_status_and_shows_no_status_code(client: Any, street: Complaint) -> None:
    ko = client.get("/complaints/map/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    legend = re.search(r'<section class="legend-box" id="talk-legend".*?</section>', ko, re.S)
    assert legend, "the Talk Map has a legend"
    for status in Status:
        assert f'data-status="{status.value}"' in legend.group(0)
    text = _text(legend.group(0))
    assert "처리 완료" in text and "접수" in text  # resolved, received: in Korean
    assert not re.search(r"\b(received|in_progress|resolved|rejected|merged|transferred|reopened)\b", _text(ko))
    en = _text(client.get("/complaints/map/", HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert "Legend" in en and "in progress" in en


def test_map_data_carries_the_status_label_in_the_page_language(client: Any, street: Complaint) -> None:
    box = f"{street.public_lon - 0.01},{street.public_lat - 0.01},{street.public_lon + 0.01},{street.public_lat + 0.01}"
    labels = {}
    for lang in ("ko", "en"):
        data = client.get("/complaints/map.geojson", {"zoom": 18, "bbox": box}, HTTP_ACCEPT_LANGUAGE=lang).json()
        mine = [f["properties"] for f in data["features"] if f["properties"].get("number") == street.number]
        assert mine and mine[0]["status"] == "received"
        labels[lang] = mine[0]["status_label"]
    assert labels["en"] == "received" and HANGUL.search(labels["ko"]), labels


def test_an_empty_list_of_my_reports_says_what_to_do(client: Any, citizen: Any, categories: Any) -> None:
    client.force_login(citizen)
    ko = _text(client.get("/complaints/mine/", HTTP_ACCEPT_LANGUAGE="ko").content.decode())
    assert "아직 신고한 것이 없습니다" in ko and "‘불편 신고하기’" in ko
    en = _text(client.get("/complaints/mine/", HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert "Choose “Report a problem” to file your first report" in en
