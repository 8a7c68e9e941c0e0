"""The dataset page as people read it: the first chart measures a real number (never every bar
drawn as 1 by grouping on a column whose values are all different), district codes are drawn as
district names, and the change history and column types are words, not codes."""

from __future__ import annotations

import json
import re
from typing import Any

from smartseoul.opendata import selectors, services

FIELDS = [
    {"id": "stop_code", "type": "string", "info": {"label": "정류소코드"}},
    {"id": "stop_name", "type": "string", "info": {"label": "정류소명"}},
    {"id": "district_code", "type": "string", "info": {"label": "자치구코드"}},
    {"id": "kind", "type": "string", "info": {"label": "유형"}},
    {"id": "boardings", "type": "integer", "info": {"label": "승차 인원"}},
    {"id": "lat", "type": "number", "info": {"label": "위도"}},
    {"id": "lon", "type": "number", "info": {"label": "경도"}},
]


def _rows(n: int, districts: tuple[str, ...]) -> list[dict[str, Any]]:
    return [
        {
            "stop_code": f"S{i:03d}",
            "stop_name": f"정류소 {i}",
            "district_code": districts[i % len(districts)],
            "kind": ("중앙차로", "가로변")[i % 2],
            "boardings": 100 + i,
            "lat": 37.57 + i / 1000,
            "lon": 126.98,
        }
        for i in range(n)
    ]


def _dataset(jongno: Any, name: str, fields: list[dict[str, Any]], rows: list[dict[str, Any]]) -> Any:
    ds = services.dataset_create(
        actor=None,
        organization=jongno,
        name=name,
        title_ko="버스 정류소",
        title_en="Bus stops",
        description_ko="정류소별 승차 인원",
        category="transport",
    )
    services.table_write(actor=None, dataset=ds, resource_name="stops", fields=fields, rows=rows)
    ds.refresh_from_db()
    ds.state = "active"
    ds.save(update_fields=["state"])
    return ds


def test_the_first_chart_sums_a_number_by_district_not_a_count_by_a_unique_code(jongno: Any) -> None:
    ds = _dataset(jongno, "bus-stops", FIELDS, _rows(12, ("11110", "11140", "11170")))
    table = selectors.primary_table(ds)[1]
    chart = selectors.chart_defaults(table, exclude=["lat", "lon"], district="district_code")
    assert chart == selectors.ChartDefaults(x="district_code", y="boardings", func="sum")
    without_district = selectors.chart_defaults(table, exclude=["lat", "lon"])
    assert without_district is not None and without_district.x == "kind" and without_district.y == "boardings"


def test_one_row_per_place_charts_the_number_per_name(jongno: Any) -> None:
    fields = [f for f in FIELDS if f["id"] in ("stop_code", "stop_name", "boardings", "lat", "lon")]
    ds = _dataset(
        jongno,
        "bus-stops-2",
        fields,
        [{k: r[k] for k in ("stop_code", "stop_name", "boardings", "lat", "lon")} for r in _rows(6, ("11110",))],
    )
    chart = selectors.chart_defaults(selectors.primary_table(ds)[1], exclude=["lat", "lon"])
    assert chart == selectors.ChartDefaults(x="stop_name", y="boardings", func="sum")


def test_without_a_number_the_rows_are_counted_by_a_repeating_category(jongno: Any) -> None:
    fields = [f for f in FIELDS if f["id"] in ("stop_code", "kind")]
    ds = _dataset(
        jongno, "bus-stops-3", fields, [{"stop_code": r["stop_code"], "kind": r["kind"]} for r in _rows(6, ("11110",))]
    )
    chart = selectors.chart_defaults(selectors.primary_table(ds)[1])
    assert chart == selectors.ChartDefaults(x="kind", y="", func="count")


def test_dataset_page_preselects_the_chart_and_speaks_words(client: Any, jongno: Any) -> None:
    _dataset(jongno, "bus-stops", FIELDS, _rows(12, ("11110", "11140", "11170")))
    html = client.get("/opendata/dataset/bus-stops/").content.decode()
    form = re.search(r'<form id="chart-form"[^>]*>', html).group(0)
    assert "data-autodraw" in form
    assert '<option value="district_code" selected>' in html and '<option value="boardings" selected>' in html
    assert '<option value="sum" selected>' in html
    history = html.split("변경 이력")[1]
    assert "table_write" not in history and "dataset_create" not in history
    assert "12 rows" not in history and "12행" in history
    columns = html.split("<h2>컬럼</h2>")[1].split("</table>")[0]
    assert "<td>string</td>" not in columns and "<td>integer</td>" not in columns

    data = client.get(
        "/opendata/dataset/bus-stops/chart.json", {"x": "district_code", "y": "boardings", "func": "sum"}
    ).json()
    assert sorted(data["x"]) == ["용산구", "종로구", "중구"]
    assert data["x_label"] == "자치구" and data["y_label"] == "승차 인원 (합계)"
    counted = client.get("/opendata/dataset/bus-stops/chart.json", {"x": "kind", "y": "", "func": "sum"}).json()
    assert counted["y_label"] == "행 개수" and sorted(counted["y"]) == [6, 6]


def test_document_review_names_what_it_found_and_where_in_words(client: Any, official: Any) -> None:
    from conftest import sign_in

    sign_in(client, official)
    response = client.post(
        "/opendata/documents/office/",
        {
            "number": "주차-2",
            "title": "민원 회신",
            "body": "연락처 010-9876-5432",
            "doc_type": "approval",
            "department": "11110-parking",
            "produced_on": "2025-03-01",
            "disclosure": "open",
        },
    )
    html = client.get(response["Location"]).content.decode()
    row = html.split('id="findings"')[1].split("</table>")[0]
    assert "<td>phone</td>" not in row and "<td>body</td>" not in row
    assert "전화번호" in row and "본문" in row


def test_catalogue_filters_are_folded_until_a_wide_screen_opens_them(client: Any, jongno: Any) -> None:
    _dataset(jongno, "bus-stops", FIELDS, _rows(4, ("11110",)))
    html = client.get("/opendata/").content.decode()
    assert '<details class="od-facet">' in html and "<details open>" not in html


def test_usage_chart_names_its_series_in_the_page_language(client: Any, city: Any) -> None:
    html = client.get("/opendata/stats/").content.decode()
    data = json.loads(re.search(r'<script id="stats-data" type="application/json">(.*?)</script>', html).group(1))
    assert data["names"] == {"views": "조회", "downloads": "내려받기", "api_calls": "API 호출"}


def test_a_module_export_names_its_columns_in_the_page_language(client: Any, city: Any) -> None:
    from smartseoul.core.registry import ExportField, OpenDataExport

    export = OpenDataExport(
        key="test-stops",
        title_ko="시험 정류소",
        title_en="Test stops",
        description_ko="정류소",
        description_en="Stops",
        category="transport",
        fields=(
            ExportField("stop_name", "string", "stop name", label_ko="정류소명"),
            ExportField("boardings", "integer", "boardings per day", label_ko="하루 승차 인원"),
        ),
        rows=lambda: [{"stop_name": "광화문", "boardings": 10}, {"stop_name": "시청", "boardings": 7}],
    )
    ds = services.export_refresh(export=export)
    korean = client.get(f"/opendata/dataset/{ds.name}/").content.decode()
    assert '">정류소명</td>' in korean and ">stop name</td>" not in korean
    preview = client.get(f"/opendata/dataset/{ds.name}/preview").content.decode()
    assert '<th scope="col">하루 승차 인원</th>' in preview
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get(f"/opendata/dataset/{ds.name}/").content.decode()
    assert '">stop name</td>' in english and ">정류소명</td>" not in english


def test_english_catalogue_names_publishers_and_demo_columns_in_english(client: Any, jongno: Any) -> None:
    from smartseoul.opendata.demo import _f

    _dataset(jongno, "bus-stops", FIELDS, _rows(4, ("11110",)))
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/opendata/").content.decode()
    facets = html.split('class="od-facets"')[1].split("</aside>")[0]
    assert ">Jongno-gu</a>" in facets and "서울특별시 종로구" not in facets
    assert _f("fee_10min", "integer", "요금(10분)")["info"]["label_en"] == "Fee (10 min)"
    assert _f("parking_name", "string", "주차장명")["info"]["label_en"] == "Parking name"
