"""A refused report comes back as the form it was: the error listed at the top (a KRDS alert whose
item links to the field), the field itself marked invalid with the message beside it, everything the
citizen typed still there, and nothing stored."""

from __future__ import annotations

import re
from typing import Any

import pytest

from smartseoul.complaints.models import Complaint, ComplaintMedia

KO = {"HTTP_ACCEPT_LANGUAGE": "ko"}


@pytest.fixture
def citizen_client(client: Any, make_user: Any, categories: Any) -> Any:
    client.force_login(make_user())
    return client


def _summary(html: str) -> str:
    match = re.search(r'<div class="krds-alert error-summary" role="alert"[^>]*id="error-summary">(.*?)</div>',
                      html, re.S)
    assert match, "the refused form starts with an error summary"
    return match.group(1)


def _control(html: str, control_id: str) -> str:
    match = re.search(rf'<(?:input|select|textarea)\b[^>]*\bid="{re.escape(control_id)}"[^>]*>', html)
    assert match, f"no control #{control_id}"
    return match.group(0)


def test_a_missing_answer_is_summarised_linked_marked_and_the_rest_is_kept(citizen_client: Any, jongno: Any) -> None:
    response = citizen_client.post(
        "/complaints/new/",
        {
            "category": "PARK-01",
            "lat": jongno[0],
            "lon": jongno[1],
            "address": "세종대로 110",
            "attr_PARK-01_ZONE": "CROSSWALK",
            "description": "횡단보도 위에 차가 서 있습니다.",
        },  # no licence plate: a required question of illegal parking
        **KO,
    )
    html = response.content.decode()

    assert response.status_code == 400
    summary = _summary(html)
    assert '<a href="#attr-PARK-01-PLATE">다음 항목을 입력해 주세요: 차량 번호</a>' in summary
    assert 'data-code="missing_attribute"' in summary
    plate = _control(html, "attr-PARK-01-PLATE")
    assert 'aria-invalid="true"' in plate
    assert 'aria-describedby="attr-PARK-01-PLATE-hint attr-PARK-01-PLATE-error"' in plate
    assert re.search(r'<div class="form-conts is-error">\s*<input class="krds-input" name="attr_PARK-01_PLATE"', html)
    assert '<p class="form-hint-invalid" id="attr-PARK-01-PLATE-error">' in html
    # what the citizen gave is all still there
    assert re.search(r'id="cat-PARK-01" value="PARK-01" required checked', html)
    assert '<option value="CROSSWALK" selected>' in html
    assert 'value="세종대로 110"' in _control(html, "address")
    assert f'value="{jongno[0]}"' in _control(html, "lat") and f'value="{jongno[1]}"' in _control(html, "lon")
    assert ">횡단보도 위에 차가 서 있습니다.</textarea>" in html
    # only the field at fault is marked
    assert 'aria-invalid="true"' not in _control(html, "description")
    assert Complaint.objects.count() == 0 and ComplaintMedia.objects.count() == 0


def test_a_report_without_a_place_links_to_the_address(citizen_client: Any) -> None:
    response = citizen_client.post(
        "/complaints/new/", {"category": "ROAD-01", "attr_ROAD-01_SIZE": "L", "description": "깊은 구멍"}, **KO
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'href="#address"' in _summary(html)
    assert 'aria-invalid="true"' in _control(html, "address")
    assert '<option value="L" selected>' in html and ">깊은 구멍</textarea>" in html
    assert Complaint.objects.count() == 0


def test_a_place_outside_the_city_links_to_the_coordinates_typed(citizen_client: Any) -> None:
    response = citizen_client.post("/complaints/new/", {"category": "ROAD-01", "lat": "35.18", "lon": "129.07"}, **KO)
    html = response.content.decode()
    assert response.status_code == 400
    assert 'href="#lat"' in _summary(html) and 'data-code="outside_city"' in html
    assert 'aria-invalid="true"' in _control(html, "lat") and "<details open>" in html
    assert Complaint.objects.count() == 0


def test_no_kind_chosen_is_asked_for_in_the_readers_words(citizen_client: Any, jongno: Any) -> None:
    response = citizen_client.post("/complaints/new/", {"lat": jongno[0], "lon": jongno[1], "description": "?"}, **KO)
    html = response.content.decode()
    assert response.status_code == 400  # a form to correct, not a missing page
    summary = _summary(html)
    assert re.search(r'href="#cat-[\w-]+">어떤 문제인지 골라 주세요.</a>', summary)
    assert "unknown_category" not in re.sub(r'data-code="[^"]*"', "", html)  # the code is never shown
    assert '<p class="form-hint-invalid" id="category-error">' in html
    assert Complaint.objects.count() == 0


def test_a_fresh_form_has_no_summary_and_points_each_box_at_its_hint(citizen_client: Any) -> None:
    html = citizen_client.get("/complaints/new/", **KO).content.decode()
    assert 'id="error-summary"' not in html and "is-error" not in html
    for control in ("address", "lat", "lon", "description", "attr-PARK-01-PLATE"):
        tag = _control(html, control)
        assert 'class="krds-input"' in tag and f'aria-describedby="{control}-hint"' in tag
        assert f'id="{control}-hint"' in html
    assert 'class="krds-form-select"' in _control(html, "attr-PARK-01-ZONE")
    check = r'<div class="krds-form-check cat-option">\s*<input type="radio" name="category" id="cat-PARK-01"'
    assert re.search(check, html)
