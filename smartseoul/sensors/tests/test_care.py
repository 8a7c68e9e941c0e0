"""Senior care: no movement for the configured daytime window raises exactly one alert, to the
assigned caseworker only; closing needs a note; the home device stays private."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from conftest import sign_in
from smartseoul.core import clock
from smartseoul.core.models import Notification
from smartseoul.sensors import selectors
from smartseoul.sensors.errors import AlreadyClosed, BadEntity, NotAssigned
from smartseoul.sensors.models import CareAlert, Datastream
from smartseoul.sensors.services.care import (
    care_alert_acknowledge,
    care_alert_close,
    care_check,
    caseworker_assign,
    home_device_add,
    senior_register,
)
from smartseoul.sensors.services.sta import observations_create_many
from smartseoul.sensors.timeutil import KST

pytestmark = pytest.mark.django_db


def at(h: int, m: int = 0, day: int = 2) -> datetime:
    return datetime(2024, 7, day, h, m, tzinfo=KST)


def motion(ds: int, when: datetime, count: int = 1) -> None:
    result = observations_create_many(items=[({"phenomenonTime": when.isoformat(), "result": count}, ds)], gateway=None)
    assert result.accepted == 1, result.errors


@pytest.fixture
def home(city: Any, make_user: Any) -> dict[str, Any]:
    assigned = make_user("caseworker-a", role="official", capabilities=("caseworker",))
    other = make_user("caseworker-b", role="official", capabilities=("caseworker",))
    senior = senior_register(label="JN-2024-0012", district_code="11110", actor=assigned)
    caseworker_assign(senior=senior, caseworker=assigned, actor=assigned)
    device = home_device_add(senior=senior, name="JN-2024-0012 living room", actor=assigned)
    ds = {d.quantity: d.pk for d in Datastream.objects.filter(thing=device)}
    return {"assigned": assigned, "other": other, "senior": senior, "device": device, "ds": ds}


def _care_messages(user: Any) -> int:
    return Notification.objects.filter(recipient=user, kind="sensors.care.no_motion", channel="inbox").count()


def test_no_motion_for_four_daytime_hours_raises_exactly_one_alert(home: dict[str, Any]) -> None:
    ds = home["ds"]["motion"]
    motion(ds, at(7, 30))  # moved at 07:30
    motion(ds, at(8, 0), 0)  # the sensor keeps reporting "no movement"
    clock.freeze(at(11, 29))
    assert care_check() == []  # 3 h 59 min: not yet
    clock.freeze(at(11, 31))
    opened = care_check()
    assert [a.kind for a in opened] == ["no_motion"]
    for minute in (40, 50):
        clock.freeze(at(12, minute))
        assert care_check() == []  # still the same quiet stretch
    assert CareAlert.objects.count() == 1
    assert _care_messages(home["assigned"]) == 1
    assert _care_messages(home["other"]) == 0

    # the other caseworker can neither see nor handle it
    assert not selectors.care_alerts_for(home["other"]).exists()
    with pytest.raises(NotAssigned):
        care_alert_acknowledge(user=home["other"], alert_id=opened[0].pk)
    alert = care_alert_acknowledge(user=home["assigned"], alert_id=opened[0].pk)
    assert alert.acknowledged_by == home["assigned"]
    with pytest.raises(BadEntity):
        care_alert_close(user=home["assigned"], alert_id=alert.pk, note="  ")
    care_alert_close(user=home["assigned"], alert_id=alert.pk, note="Visited: asleep after a long night, all well.")
    with pytest.raises(AlreadyClosed):
        care_alert_close(user=home["assigned"], alert_id=alert.pk, note="again")
    clock.freeze(at(13, 0))
    assert care_check() == []  # closed, and still the same stretch: no repeat

    # movement again, then a new quiet stretch is a new alert
    motion(ds, at(13, 30))
    clock.freeze(at(17, 31))
    assert [a.kind for a in care_check()] == ["no_motion"]
    assert _care_messages(home["assigned"]) == 2 and _care_messages(home["other"]) == 0


def test_quiet_nights_do_not_alert(home: dict[str, Any]) -> None:
    motion(home["ds"]["motion"], at(21, 0, day=1))
    clock.freeze(at(5, 0))  # before the daytime window (07:00)
    assert care_check() == []
    clock.freeze(at(10, 59))  # 07:00 + 4 h not reached
    assert care_check() == []
    clock.freeze(at(11, 0))
    assert len(care_check()) == 1


def test_dangerous_indoor_temperature(home: dict[str, Any]) -> None:
    clock.freeze(at(14, 0))
    motion(home["ds"]["motion"], at(13, 50))
    result = observations_create_many(
        items=[({"phenomenonTime": at(13, 55).isoformat(), "result": 34.5}, home["ds"]["indoor_temperature"])],
        gateway=None,
    )
    assert result.accepted == 1
    assert [a.kind for a in care_check()] == ["hot"]
    assert care_check() == []


def test_home_devices_are_hidden_from_the_public_api(home: dict[str, Any], client: Any) -> None:
    body = client.get("/sta/v1.1/Things").json()
    assert all(t["@iot.id"] != home["device"].pk for t in body["value"])
    assert client.get(f"/sta/v1.1/Things({home['device'].pk})").status_code == 404
    sign_in(client, home["assigned"], second_factor=False)
    assert client.get(f"/sta/v1.1/Things({home['device'].pk})").status_code == 404  # not yet a caseworker
    sign_in(client, home["assigned"])
    assert client.get(f"/sta/v1.1/Things({home['device'].pk})").status_code == 200
    sign_in(client, home["other"])
    assert client.get(f"/sta/v1.1/Things({home['device'].pk})").status_code == 404


def test_an_alert_reads_in_the_caseworkers_language_whatever_language_opened_it(home: dict[str, Any]) -> None:
    from django.utils import translation

    ds = home["ds"]["motion"]
    motion(ds, at(7, 30))
    clock.freeze(at(11, 31))
    with translation.override("ko"):  # the scheduler's language
        (alert,) = care_check()
    assert "움직임" in alert.detail
    with translation.override("en"):
        assert alert.detail_text == "No movement detected at home since 2024-07-02 07:30 (4.0 hours)."
    with translation.override("ko"):
        assert "2024-07-02 07:30" in alert.detail_text and "움직임" in alert.detail_text
