"""The officials' work queue and report page: transfers start with no department chosen (grouped by
the city and each district), a transfer without a choice says so, the report page shows answers
and history in words, and the category list never promises "0 working days"."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.messages import get_messages

from conftest import sign_in
from smartseoul.complaints import selectors
from smartseoul.complaints.errors import ComplaintErrorCode, ComplaintInvalid
from smartseoul.complaints.models import Complaint
from smartseoul.complaints.services import complaint_submit, complaint_transfer


@pytest.fixture
def report(citizen: Any, categories: Any, jongno: Any) -> Complaint:
    return complaint_submit(
        reporter=citizen,
        category_code="PARK-01",
        lat=jongno[0],
        lon=jongno[1],
        attributes={"PLATE": "12가3456", "ZONE": "BUS"},
    )


def test_a_transfer_without_a_department_says_so(official: Any, report: Complaint) -> None:
    with pytest.raises(ComplaintInvalid) as caught:
        complaint_transfer(actor=official, number=report.number, department_code="", reason="not ours")
    assert caught.value.code == ComplaintErrorCode.DEPARTMENT_REQUIRED
    report.refresh_from_db()
    assert report.department.code == "11110-parking" and report.status == "received"


def test_bulk_transfer_without_a_department_comes_back_to_the_queue_with_the_reason(
    client: Any, official: Any, report: Complaint
) -> None:
    sign_in(client, official)
    response = client.post(
        "/complaints/office/bulk",
        {"numbers": [report.number], "action": "transfer", "reason": "not ours", "next": "/complaints/office/?q=x"},
    )
    assert response.status_code == 302 and response["Location"] == "/complaints/office/?q=x"
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["신고를 이송할 부서를 선택하세요."]
    outside = client.post(
        "/complaints/office/bulk",
        {"numbers": [report.number], "action": "start", "next": "https://evil.example/"},
    )
    assert outside["Location"] == "/complaints/office/"


def test_transfer_lists_start_empty_and_are_grouped_by_city_and_district(
    client: Any, official: Any, report: Complaint
) -> None:
    sign_in(client, official)
    for url, select_id in (
        (f"/complaints/office/r/{report.number}/", "transfer-department"),
        ("/complaints/office/", "bulk-department"),
    ):
        html = client.get(url).content.decode()
        select = re.search(rf'<select name="department" id="{select_id}"[^>]*>(.*?)</select>', html, re.S)
        assert select is not None, url
        body = select.group(1)
        first = re.search(r"<option[^>]*>", body).group(0)
        assert 'value=""' in first, f"{url}: the first choice must be empty, not a department"
        assert "selected" not in body
        groups = re.findall(r'<optgroup label="([^"]+)">', body)
        assert groups[0] == "서울특별시" and "종로구" in groups and len(groups) == 26
    html = client.get(f"/complaints/office/r/{report.number}/").content.decode()
    assert re.search(r'<select name="department" id="transfer-department" required', html)
    assert 'value="11110-parking"' not in html.split('id="transfer-department"')[1].split("</select>")[0]


def test_transfer_groups_put_the_city_first_then_districts_by_name(city: Any) -> None:
    groups = selectors.transfer_groups()
    labels = [label for label, _ in groups]
    assert labels[0] == "서울특별시" and labels[1:] == sorted(labels[1:])
    assert all(d.district is None for d in groups[0][1])
    jongno = dict(groups)["종로구"]
    assert {d.district.code for d in jongno} == {"11110"}


def test_report_page_shows_answers_and_history_in_words(client: Any, official: Any, report: Complaint) -> None:
    sign_in(client, official)
    html = client.get(f"/complaints/office/r/{report.number}/").content.decode()
    facts = html.split('class="facts"')[1].split("</dl>")[0]
    assert "<dt>PLATE</dt>" not in facts and "<dt>ZONE</dt>" not in facts
    assert "12가3456" in facts
    history = html.split('class="history"')[1].split("</ol>")[0]
    assert "→ received" not in history and "접수" in history


def test_categories_with_a_same_day_target_do_not_say_zero_working_days(client: Any, categories: Any) -> None:
    html = client.get("/complaints/").content.decode()
    assert "근무일 0일" not in html
    assert "당일 처리" in html


@pytest.mark.parametrize(("language", "unit"), [("ko", "건 미배정"), ("en", "unassigned")])
@pytest.mark.django_db
def test_the_workload_widget_speaks_the_page_language(language: str, unit: str) -> None:
    from django.utils import translation

    from smartseoul.complaints.selectors import widget_workload
    from smartseoul.core import clock
    from smartseoul.core.registry import Period, WidgetQuery

    now = clock.now()
    query = WidgetQuery(period=Period(start=now - timedelta(days=7), end=now), internal=True)
    with translation.override(language):
        assert widget_workload(query)["unit"] == unit
