"""The open-data pages speak the page's language: stored values (types, licences, legal grounds,
service messages, upload reasons) are shown through labels, numbers with their unit as a whole."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.utils import translation

from smartseoul.opendata import labels, services

pytestmark = pytest.mark.django_db

HANGUL = re.compile(r"[\uac00-\ud7a3]")


def _page(client, path: str, lang: str) -> str:
    response = client.get(path, HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200, path
    return response.content.decode()


def _cells(html: str) -> list[str]:
    return re.findall(r"<td[^>]*>([^<]*)</td>", html)


def test_dataset_page_words_types_licence_and_use_in_korean(client, parking):
    html = _page(client, "/opendata/dataset/jongno-parking/", "ko")
    cells = _cells(html)
    assert "정수" in cells  # whole number
    for raw in ("integer", "string", "number"):
        assert raw not in cells, raw
    assert "공공누리 제1유형" in html
    assert re.search(r'조회 <span class="stat" id="views-count">1</span>회', html)
    assert "내려받기 <span" in html and "API 호출 <span" in html


def test_dataset_page_in_english_has_no_korean_labels(client, parking):
    html = _page(client, "/opendata/dataset/jongno-parking/", "en")
    assert "Korea Open Government Licence Type 1" in html and "공공누리" not in html
    assert re.search(r'<span class="stat" id="views-count">1</span> view\b', html)
    type_cells = re.findall(r"</code></td><td[^>]*>[^<]*</td><td[^>]*>([^<]*)</td>", html)
    assert type_cells and all(not HANGUL.search(c) for c in type_cells), type_cells
    assert "whole number" in type_cells


def test_publish_form_offers_licences_in_the_page_language(client, parking, publisher):
    from conftest import sign_in

    sign_in(client, publisher)
    english = _page(client, "/opendata/publish/", "en")
    assert "Korea Open Government Licence Type 2" in english and "공공누리" not in english
    korean = _page(client, "/opendata/publish/", "ko")
    assert "공공누리 제2유형" in korean


def test_field_errors_name_the_field_and_link_to_it(client, parking, citizen):
    client.force_login(citizen)
    response = client.post(
        "/opendata/requests/", {"title": "", "description": "", "category": "nope"}, HTTP_ACCEPT_LANGUAGE="ko"
    )
    html = response.content.decode()
    assert 'href="#r-title">제목: 입력해 주세요.</a>' in html
    with translation.override("ko"):
        category = translation.gettext("Category")
    assert f'href="#r-cat">{category}: 제시된 값 가운데 하나를 고르세요.</a>' in html
    assert "Missing value" not in html and "Must be one of" not in html and ">title:" not in html
    english = client.post("/opendata/requests/", {"title": ""}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'href="#r-title">Title: Fill this in.</a>' in english


def test_legal_ground_in_english_on_an_english_page(client, make_user, city):
    officer = make_user("clerk", role="official", department="seoul-welfare")
    doc = services.document_create(
        actor=officer,
        number="복지-9",
        title="회의록",
        body="내용",
        doc_type="minutes",
        department_code="seoul-welfare",
        produced_on=date(2025, 7, 1),
        disclosure="closed",
        legal_ground="art9-1-6",
    )
    services.document_publish(actor=officer, document=doc)
    english = _page(client, f"/opendata/documents/{doc.uid}/", "en")
    assert "Article 9(1)6 (personal matters, privacy)" in english and "art9-1-6" not in english
    korean = _page(client, f"/opendata/documents/{doc.uid}/", "ko")
    assert "제9조제1항제6호" in korean


@pytest.mark.parametrize(
    ("stored", "korean"),
    [
        ("'abc' is not a valid integer", "'abc'은(는) 올바른 정수 값이 아닙니다"),
        ("expected 3 fields, found 4", "항목 3개가 있어야 하는데 4개입니다"),
        ("the primary key repeats an earlier row", "기본키가 앞의 행과 겹칩니다"),
        ("Must be one of health, welfare.", "제시된 값 가운데 하나를 고르세요."),
        ("something nobody listed", "something nobody listed"),
    ],
)
def test_stored_messages_are_worded_in_korean(stored, korean):
    with translation.override("ko"):
        assert labels.message(stored) == korean


def test_maps_have_a_legend_and_their_figures_as_a_table(client, parking, jongno, publisher, tmp_path):
    points = _page(client, "/opendata/dataset/jongno-parking/", "ko")
    assert 'id="map-legend"' in points and "위치가 있는 표의 한 행" in points

    path = tmp_path / "counts.csv"
    path.write_text("district,건수\n11110,3\n11110,4\n11140,5\n", encoding="utf-8")
    ds = services.dataset_create(
        actor=publisher,
        organization=jongno,
        name="district-counts",
        title_ko="자치구 건수",
        title_en="",
        description_ko="시험",
        category="safety",
    )
    upload = services.upload_stage(actor=publisher, dataset=ds, file=path, original_name="counts.csv")
    services.upload_publish(actor=publisher, upload=upload, resource_name="counts")
    ds.refresh_from_db()
    if ds.state != "active":
        services.dataset_publish(actor=publisher, dataset=ds)
    english = _page(client, "/opendata/dataset/district-counts/", "en")
    table = english[english.index('id="map-table"') :]
    assert "<td>Jongno-gu</td><td>2</td>" in table and "<td>Jung-gu</td><td>1</td>" in table
    assert "many rows" in english
    # The chart draws the districts by name too, not as numbers on an axis.
    chart = client.get("/opendata/dataset/district-counts/chart.json", {"x": "district"}, HTTP_ACCEPT_LANGUAGE="ko")
    assert sorted(chart.json()["x"]) == ["종로구", "중구"]
