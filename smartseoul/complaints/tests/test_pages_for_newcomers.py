"""What a newcomer's journey found on the complaints pages: the way from a report to the Talk
Map, the "open reports" label in Korean, and a report page that fits a phone."""

from __future__ import annotations

from typing import Any

import pytest

from smartseoul.complaints.models import Complaint
from smartseoul.complaints.services import complaint_submit, media_upload

from .factories import jpeg, upload


@pytest.fixture
def report(make_user: Any, categories: Any, jongno: Any) -> Complaint:
    reporter = make_user("newcomer")
    photo = media_upload(owner=reporter, file=upload(jpeg()), source="gallery")
    return complaint_submit(
        reporter=reporter,
        category_code="PARK-01",
        lat=jongno[0],
        lon=jongno[1],
        attributes={"PLATE": "34나5678", "ZONE": "CORNER"},
        media_ids=[photo.pk],
        description="골목 입구를 막고 있는 차량",
    )


def test_a_report_links_to_itself_on_the_talk_map(client: Any, report: Complaint) -> None:
    html = client.get(f"/complaints/r/{report.number}/").content.decode()
    query = f"report={report.number}&amp;lat={report.public_lat:.5f}&amp;lon={report.public_lon:.5f}"
    assert f'href="/complaints/map/?{query}"' in html and "시민 소통 지도에서 보기" in html
    # the map page reads the same parameters (talkmap.js) and the map data holds the report there
    data = client.get(
        "/complaints/map.geojson",
        {
            "zoom": 18,
            "bbox": f"{report.public_lon - 0.01},{report.public_lat - 0.01},"
            f"{report.public_lon + 0.01},{report.public_lat + 0.01}",
        },
    ).json()
    assert report.number in [f["properties"].get("number") for f in data["features"]]


@pytest.mark.parametrize("path", ["/complaints/map/", "/complaints/map/districts"])
def test_open_reports_are_called_open_reports_in_korean_not_open_this(
    client: Any, report: Complaint, path: str
) -> None:
    html = client.get(path, HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "처리 중" in html and "열기" not in html  # "Open" of a link is "열기"; of a report, "처리 중"
