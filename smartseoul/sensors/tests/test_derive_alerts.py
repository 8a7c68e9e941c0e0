"""Service stage and citizen alerts: district grades from the lake, heat-wave persistence over
two days, one alert per episode with the nearest cooling shelters."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from smartseoul.core import clock
from smartseoul.core.models import Notification
from smartseoul.sensors import lake
from smartseoul.sensors.models import AlertEpisode, DistrictCondition, DistrictDay, Thing
from smartseoul.sensors.services.alerts import facilities_import, subscription_set
from smartseoul.sensors.services.boxes import boxes_register, datastreams_ensure
from smartseoul.sensors.services.derive import derive_day, district_hourly_rows
from smartseoul.sensors.services.sta import observations_create_many
from smartseoul.sensors.timeutil import KST

pytestmark = pytest.mark.django_db


@pytest.fixture
def jongno_box(city: Any) -> dict[str, int]:
    from smartseoul.core.selectors import district_by_code

    d = district_by_code("11110")
    boxes_register(positions=[("V01TEST0001", d.centroid_lat, d.centroid_lon)])
    thing = Thing.objects.get(serial="V01TEST0001")
    assert thing.district_code == "11110"
    return {
        q: pk
        for (t, q), pk in datastreams_ensure(
            pairs={(thing.pk, q) for q in ("pm10", "pm25", "temperature", "humidity", "uv")}
        ).items()
    }


def _hours(ds: dict[str, int], day: date, values: dict[str, float], hours: range = range(10, 16)) -> None:
    items = []
    for h in hours:
        t = datetime(day.year, day.month, day.day, h, 0, tzinfo=KST).isoformat()
        items += [({"phenomenonTime": t, "result": v}, ds[q]) for q, v in values.items()]
    assert observations_create_many(items=items, gateway=None).accepted == len(items)


def test_grades_heat_wave_and_one_alert_per_episode(jongno_box: dict[str, int], make_user: Any, tmp_path: Path) -> None:
    from smartseoul.core.selectors import district_by_code

    d = district_by_code("11110")
    shelters = tmp_path / "shelters.csv"
    shelters.write_text(
        "id,kind,name,address,lat,lon,capacity,hours\n"
        f"S1,cooling_shelter,종로구청 무더위쉼터,종로구 삼봉로 43,{d.centroid_lat + 0.001},"
        f"{d.centroid_lon},40,09:00-18:00\n"
        "S2,cooling_shelter,먼 쉼터,강남구,37.4979,127.0276,20,09:00-18:00\n",
        encoding="utf-8",
    )
    assert facilities_import(path=shelters) == {"created": 2, "updated": 0}
    citizen = make_user("resident", district="11110")
    subscription_set(user=citizen, district_code="11110", kinds=["heat", "dust"], channels=["inbox"])

    day1, day2 = date(2024, 8, 1), date(2024, 8, 2)
    hot = {"pm10": 40, "pm25": 20, "temperature": 35.0, "humidity": 60.0, "uv": 6}  # feels like ≈ 35.6
    clock.freeze(datetime(2024, 8, 1, 16, 0, tzinfo=KST))
    _hours(jongno_box, day1, hot)
    derive_day(day=day1)
    cond = DistrictCondition.objects.filter(district_code="11110").order_by("-hour").first()
    assert cond is not None and cond.dust_grade == "normal"  # PM10 40 normal, PM2.5 20 normal
    assert cond.feels_like == pytest.approx(35.6, abs=0.2)
    assert DistrictDay.objects.get(district_code="11110", date=day1).heat_level == ""  # one day is not a heat wave
    assert not Notification.objects.filter(recipient=citizen).exists()

    clock.freeze(datetime(2024, 8, 2, 16, 0, tzinfo=KST))
    _hours(jongno_box, day2, {**hot, "pm25": 40})  # PM2.5 40 → bad
    derive_day(day=day2)
    assert DistrictDay.objects.get(district_code="11110", date=day2).heat_level == "warning"
    kinds = set(AlertEpisode.objects.filter(ended_at=None).values_list("kind", flat=True))
    assert kinds == {"heat", "dust"}
    heat = Notification.objects.get(recipient=citizen, kind="sensors.alert.heat")
    assert "종로구청 무더위쉼터" in heat.body and "먼 쉼터" not in heat.body.split("종로구청 무더위쉼터")[0]
    # re-running the job (every hour, or twice) does not repeat the alert of the same episode
    derive_day(day=day2)
    derive_day(day=day2)
    assert Notification.objects.filter(recipient=citizen, kind="sensors.alert.heat").count() == 1
    assert Notification.objects.filter(recipient=citizen, kind="sensors.alert.dust").count() == 1

    # the aggregates are published as open data
    rows = district_hourly_rows()
    assert {r["quantity"] for r in rows} >= {"pm10", "pm25", "temperature"}
    assert all(r["district_code"] == "11110" for r in rows)
    assert lake.partition_days("agg_district_hourly") == [day1, day2]
    assert lake.partition_days("agg_box_daily") == [day1, day2]

    # the condition ends: the episode closes; a new spell is a new alert
    clock.freeze(datetime(2024, 8, 3, 16, 0, tzinfo=KST))
    _hours(jongno_box, date(2024, 8, 3), {**hot, "temperature": 25.0, "pm25": 10})
    derive_day(day=date(2024, 8, 3))
    assert not AlertEpisode.objects.filter(ended_at=None).exists()
    assert (day2 - day1) == timedelta(days=1)


def test_subscription_input_is_checked(city: Any, make_user: Any) -> None:
    from smartseoul.core.errors import NotFound
    from smartseoul.sensors.errors import BadEntity
    from smartseoul.sensors.models import AlertSubscription

    user = make_user("sub")
    with pytest.raises(NotFound):
        subscription_set(user=user, district_code="99999", kinds=["dust"], channels=["inbox"])
    with pytest.raises(BadEntity):
        subscription_set(user=user, district_code="11110", kinds=["earthquake"], channels=["inbox"])
    with pytest.raises(BadEntity):
        subscription_set(user=user, district_code="11110", kinds=["dust"], channels=[])
    assert not AlertSubscription.objects.exists()
    subscription_set(user=user, district_code="11110", kinds=["dust"], channels=["inbox", "sms"])
    subscription_set(user=user, district_code="11110", kinds=[], channels=[])
    assert not AlertSubscription.objects.exists()
