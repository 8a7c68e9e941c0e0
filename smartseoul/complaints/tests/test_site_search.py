"""The site-wide search finds a report by its receipt number and the kinds of problem one can
report, never a reporter or the text they wrote."""

from __future__ import annotations

from typing import Any

from smartseoul.complaints.selectors import site_search_hits
from smartseoul.complaints.services import complaint_submit


def test_a_receipt_number_finds_its_public_page(citizen: Any, categories: Any, jongno: Any) -> None:
    report = complaint_submit(reporter=citizen, category_code="PARK-01", lat=jongno[0], lon=jongno[1],
                              description="010-1234-5678 로 연락 주세요",
                              attributes={"PLATE": "12가3456", "ZONE": "BUS"})
    year, serial = report.number.split("-")
    for query in (report.number, f"{year}-{int(serial)}"):
        hits = site_search_hits(query, None, 10)
        assert [h.url for h in hits] == [f"/complaints/r/{report.number}/"], query
    text = " ".join(f"{h.title} {h.summary}" for h in hits)
    assert "010-1234-5678" not in text and citizen.username not in text
    assert site_search_hits("2099-999999", None, 10) == []


def test_a_kind_of_problem_leads_to_the_form_with_it_chosen(client: Any, categories: Any) -> None:
    hits = site_search_hits("parking", None, 10)
    assert hits and all(h.url.startswith("/complaints/new/?category=PARK-") for h in hits)
    html = client.get("/search/", {"q": "불법 주정차"}, HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "/complaints/new/?category=PARK-01" in html
