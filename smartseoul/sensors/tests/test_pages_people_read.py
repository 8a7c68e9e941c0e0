"""What a person reads on the sensors pages: times in the city's time zone with their date,
grades by name (never `good`/`normal`), a legend on the map, the caseworker's demo seniors."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest

from smartseoul.sensors.demo import load_demo
from smartseoul.sensors.models import DistrictCondition, Thing, ThingKind
from smartseoul.sensors.timeutil import local_zone

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(city: Any) -> None:
    load_demo()


def _serial() -> str:
    return Thing.objects.filter(kind=ThingKind.SDOT_BOX).order_by("serial").values_list("serial", flat=True)[0]


def test_box_charts_are_in_korean_time_and_uv_peaks_around_midday(demo: None, client: Any) -> None:
    # one demo load for the whole box page (loading a day of 100 boxes is the slow part)
    response = client.get(f"/sensors/boxes/{_serial()}/?period=day")
    series = {s["code"]: s for s in response.context["series"]}
    assert series, "the demo box has measurements to chart"
    for s in series.values():
        assert all(t.endswith("+09:00") for t in s["t"]), s["t"][:2]
    uv = series["uv"]
    peak = datetime.fromisoformat(uv["t"][uv["v"].index(max(uv["v"]))])
    assert 11 <= peak.hour <= 14, f"UV peaks at {peak:%H:%M} local time"
    light = series["illuminance"]
    dark = datetime.fromisoformat(light["t"][light["v"].index(min(light["v"]))])
    assert dark.hour < 6 or dark.hour >= 19, f"no light at {dark:%H:%M}? the night is in local time"
    # the latest values say when they were measured, with the date; the district by its name
    serial = _serial()
    html = client.get(f"/sensors/boxes/{serial}/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    newest = max(
        at for at in Thing.objects.get(serial=serial).datastreams.values_list("latest_phenomenon_time", flat=True) if at
    )
    assert f"{newest.astimezone(local_zone()):%Y-%m-%d %H:%M} 기준" in html
    assert "종로구" in html  # the district by name (DEMO11110.. boxes are in Jongno-gu), not its code
    assert 'data-time-axis="시각 (한국 시간)"' in html  # the charts' time axis is labelled, in Korean
    assert "자치구: 11" not in html


def test_air_map_legend_and_latest_hour_table_with_its_date(demo: None, client: Any) -> None:
    hour = DistrictCondition.objects.order_by("-hour").values_list("hour", flat=True).first()
    stamp = f"{hour.astimezone(local_zone()):%Y-%m-%d %H:%M}"
    html = client.get("/sensors/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    caption = re.search(r"<caption[^>]*>(.*?)</caption>", html, re.S)
    assert caption and stamp in caption.group(1)
    # a legend with each grade's name and range; grades by name in the table, in each language
    ko = html
    assert 'id="air-legend"' in ko
    legend = ko[ko.index('id="air-legend"') : ko.index("</section>", ko.index('id="air-legend"'))]
    for name in ("좋음", "보통", "나쁨", "매우나쁨", "측정값 없음"):
        assert name in legend
    assert "PM10 0–30" in legend and "PM2.5 76+" in legend  # ranges from the threshold table in force
    table = ko[ko.index("<tbody>") : ko.index("</tbody>")]
    assert not re.search(r">\s*(good|normal|bad|very_bad|low|moderate|high)\s*<", table), "raw grade codes"
    en = client.get("/sensors/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Very bad" in en and "Jongno-gu" in en
    table_en = en[en.index("<tbody>") : en.index("</tbody>")]
    assert "종로구" not in table_en  # district names in English on an English page


def test_alert_page_names_districts_and_levels(city: Any, client: Any, make_user: Any) -> None:
    client.force_login(make_user("alert-reader", district="11110"))
    client.post("/sensors/alerts/", {"district_code": "11110", "kinds": ["dust"], "channels": ["inbox"]})
    html = client.get("/sensors/alerts/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    subscriptions = html[html.index("<ul>", html.index("<h2>")) :]
    assert "종로구: " in subscriptions and "11110:" not in subscriptions


def test_caseworker_demo_has_seniors_with_readings(city: Any, make_user: Any, client: Any) -> None:
    from smartseoul.accounts.models import Role
    from smartseoul.sensors.demo import _demo_care

    make_user("caseworker", role=Role.OFFICIAL, department="11110-welfare", capabilities=("caseworker",))
    _demo_care()
    from smartseoul.accounts.models import User
    from smartseoul.sensors import selectors

    caseworker = User.objects.get(username="caseworker")
    seniors = list(selectors.seniors_for(caseworker))
    assert len(seniors) == 3
    devices = [d.pk for s in seniors for d in selectors.senior_devices(s)]
    latest = selectors.latest_values(devices, ("indoor_temperature",))
    assert len(latest) == 3 and all(v["indoor_temperature"][0] is not None for v in latest.values())
    # the dashboard shows when each senior last moved, not when the sensor last said "no movement"
    from conftest import sign_in

    html = sign_in(client, caseworker).get("/sensors/care/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    quiet = html[html.index('<th scope="row">JN-2026-0003</th>') :].split("</tr>")[0]
    times = re.findall(r"\d{4}-\d\d-\d\d \d\d:\d\d", quiet)
    assert len(times) == 2 and times[0] < times[1], quiet  # last movement (8 hours ago) before the last report
    assert "마지막 움직임" in html


def test_home_sensor_readings_stay_out_of_district_figures(city: Any, make_user: Any) -> None:
    """A senior's indoor readings must not become a district's "latest hour" (the table's
    timestamp) nor an open-data aggregate."""
    from smartseoul.accounts.models import Role
    from smartseoul.core import clock
    from smartseoul.sensors import lake
    from smartseoul.sensors.demo import _demo_care
    from smartseoul.sensors.services.derive import derive_day

    make_user("caseworker", role=Role.OFFICIAL, department="11110-welfare", capabilities=("caseworker",))
    _demo_care()
    derive_day(day=clock.today_local().date(), evaluate_alerts=False)
    assert not DistrictCondition.objects.exists()
    for day in lake.partition_days("agg_district_hourly"):
        table = (
            lake.connect()
            .execute(f"SELECT DISTINCT quantity FROM read_parquet('{lake.files('agg_district_hourly', [day])[0]}')")
            .fetchall()
        )
        assert not {q for (q,) in table} & {"motion", "indoor_temperature"}


def test_the_content_security_policy_lets_the_map_tiles_load(city: Any, client: Any) -> None:
    from urllib.parse import urlparse

    from django.conf import settings

    csp = client.get("/sensors/").headers["Content-Security-Policy"]
    img_src = next(d for d in csp.split(";") if d.strip().startswith("img-src")).split()
    assert f"https://{urlparse(settings.MAP_TILE_URL).hostname}" in img_src  # `*.host` does not match `host`
