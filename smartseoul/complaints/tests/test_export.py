"""The daily open-data export of reports is anonymised: no reporter, no text, no plate, coarse positions."""

from __future__ import annotations

import json
from typing import Any

from smartseoul.complaints.selectors import export_rows
from smartseoul.complaints.services import PUBLIC_GRID_M, complaint_submit
from smartseoul.core.registry import exports
from smartseoul.lib.geo import round_to_grid


def test_export_rows_hold_no_personal_data(citizen: Any, categories: Any, jongno: Any) -> None:
    report = complaint_submit(
        reporter=citizen,
        category_code="PARK-01",
        lat=jongno[0] + 0.000123,
        lon=jongno[1] + 0.000321,
        attributes={"PLATE": "12가3456", "ZONE": "HYDRANT"},
        description="Grey van outside number 12, owner lives upstairs",
    )
    rows = list(export_rows())
    assert len(rows) == 1
    row = rows[0]
    assert row["service_request_id"] == report.number
    assert row["service_code"] == "PARK-01" and row["district_code"] == "11110"
    assert row["status"] == "received" and row["open311_status"] == "open" and row["resolved_date"] is None
    assert (row["lat"], row["lon"]) == round_to_grid(report.lat, report.lon, PUBLIC_GRID_M)
    assert (row["lat"], row["lon"]) != (report.lat, report.lon)

    text = json.dumps(rows, ensure_ascii=False, default=str)
    for private in ("12가3456", "Grey van", citizen.username):
        assert private not in text
    if citizen.phone_hash:
        assert citizen.phone_hash not in text


def test_export_columns_are_the_declared_fields(citizen: Any, categories: Any, jongno: Any) -> None:
    complaint_submit(
        reporter=citizen,
        category_code="PARK-01",
        lat=jongno[0],
        lon=jongno[1],
        attributes={"PLATE": "34나5678", "ZONE": "BUS"},
    )
    export = next(e for e in exports() if e.key == "complaints-daily")
    declared = [f.name for f in export.fields]
    assert all(list(row) == declared for row in export.rows())
