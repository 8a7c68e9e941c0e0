from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from smartseoul.analytics import analysis, services
from smartseoul.analytics.models import CommerceIndicator


def _row(**kw: Any) -> dict[str, Any]:
    base = {"stores": 10, "closure_rate": 0.1, "survival_3y": 0.6, "sales_trend": 0.02, "store_growth": 0.0}
    return {**base, **kw}


CITY = {"closure_rate": 0.1, "survival_3y": 0.6}


@pytest.mark.parametrize(("row", "light", "reasons"), [
    (_row(), 0, []),
    (_row(closure_rate=0.125), 1, ["closure_rate"]),
    (_row(closure_rate=0.124), 0, []),
    (_row(survival_3y=0.48), 1, ["survival_3y"]),
    (_row(sales_trend=-0.06), 1, ["sales_trend"]),
    (_row(store_growth=0.2, sales_trend=0.0), 1, ["oversupply"]),
    (_row(closure_rate=0.2, survival_3y=0.4), 2, ["closure_rate", "survival_3y"]),
    (_row(closure_rate=0.2, survival_3y=0.4, sales_trend=-0.1, store_growth=0.3), 3,
     ["closure_rate", "survival_3y", "sales_trend", "oversupply"]),
    (_row(stores=2, closure_rate=0.9), None, ["too_few_stores"]),
])
def test_traffic_light_rules(row: dict[str, Any], light: int | None, reasons: list[str]) -> None:
    assert analysis.traffic_light(row, CITY) == (light, reasons)


@pytest.mark.django_db
def test_synthetic_commerce_gives_all_four_lights(city: Any) -> None:
    result = services.commerce_synthesise(seed=11)
    assert result["indicators"] == CommerceIndicator.objects.count() > 1000
    lights = set(CommerceIndicator.objects.exclude(light=None).values_list("light", flat=True))
    assert lights == {0, 1, 2, 3}
    ind = CommerceIndicator.objects.exclude(survival_1y=None).exclude(survival_3y=None).first()
    assert ind is not None and 0 <= ind.survival_3y <= 1 and 0 <= ind.survival_1y <= 1


@pytest.mark.django_db
def test_indicators_from_an_imported_file(city: Any, tmp_path: Path) -> None:
    from smartseoul.core import clock

    ref = clock.now().date()
    y = ref.year
    stores = tmp_path / "stores.csv"
    lines = ["store_id,category,lat,lon,opened_on,closed_on"]
    # Jongno: 4 cafés, one opened 4 years ago and closed after 2 years, one closed last month
    lines += [f"A{i},cafe,37.5702,126.9831,{y - 4}-01-15," for i in range(2)]
    lines += [f"B1,cafe,37.5703,126.9832,{y - 4}-01-15,{y - 2}-01-15", f"B2,cafe,37.5704,126.9833,{y - 2}-01-15,"]
    lines += ["X1,cafe,not-a-lat,126.9,2020-01-01,"]
    stores.write_text("\n".join(lines) + "\n")
    sales = tmp_path / "sales.csv"
    result = services.commerce_import(stores_path=stores, sales_path=None)
    assert result == {"stores": 4, "skipped": 1, "indicators": 1}
    ind = CommerceIndicator.objects.get()
    assert ind.category == "cafe" and ind.stores == 3
    assert ind.survival_3y == pytest.approx(2 / 3)  # of the three opened 4 years ago, two lasted 3 years
    assert ind.light is not None
    assert not sales.exists()


@pytest.mark.django_db
def test_analyse_my_store_api(client: Any, city: Any) -> None:
    services.commerce_synthesise(seed=5)
    response = client.get("/api/v1/analytics/commerce/analyse", {"lat": 37.5949, "lon": 126.9774,
                                                                 "category": "cafe"})
    assert response.status_code == 200
    body = response.json()
    assert body["district_code"] == "11110" and body["area_code"]
    assert body["indicator"] is not None and body["indicator"]["light"] in (0, 1, 2, 3, None)
    assert body["competitors"] >= 0 and sum(body["city_lights"]) > 0
    bad = client.get("/api/v1/analytics/commerce/analyse", {"lat": 37.57, "lon": 126.98, "category": "casino"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "unknown_category"
    outside = client.get("/api/v1/analytics/commerce/analyse", {"lat": 35.1, "lon": 129.0, "category": "cafe"})
    assert outside.status_code == 400 and outside.json()["error"]["code"] == "outside_city"
    page = client.get("/analytics/commerce/analyse", {"lat": 37.5949, "lon": 126.9774, "category": "cafe"})
    assert page.status_code == 200 and b'id="light"' in page.content
    listing = client.get("/analytics/commerce/", {"category": "cafe"})
    assert listing.status_code == 200 and b'id="lights-chart"' in listing.content and b"<rect" in listing.content
    assert client.get("/api/v1/analytics/commerce/indicators", {"category": "cafe"}).json()


@pytest.mark.django_db
def test_commerce_job_and_exports(city: Any, analyst: Any) -> None:
    from smartseoul.analytics.models import JobKind
    from smartseoul.analytics.registry_hooks import EXPORTS

    services.commerce_synthesise(seed=3)
    job = services.job_run(job_id=services.job_create(kind=JobKind.COMMERCE, params={"reference_date": "2026-01-01"},
                                                      actor=analyst).pk)
    assert job.state == "done" and job.result["reference_date"] == "2026-01-01"
    assert CommerceIndicator.objects.filter(reference_date=date(2026, 1, 1)).exists()
    rows = list(next(e for e in EXPORTS if e.key == "analytics-startup-traffic-light").rows())
    assert rows and {"area_code", "category", "light"} <= set(rows[0])
