"""Shared parking: only a car park's owner (or a city administrator) sets its sharing hours;
hours are checked before anything changes; "shared now" follows the hours in Korean time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from django.test import Client

from conftest import sign_in
from smartseoul.core import clock
from smartseoul.sensors.models import ParkingLot, Thing, ThingKind
from smartseoul.sensors.services.parking import is_shared_at, parking_lot_create
from smartseoul.sensors.timeutil import KST

pytestmark = pytest.mark.django_db

WEEKDAYS = [{"days": [0, 1, 2, 3, 4], "start": "09:00", "end": "18:00"}]


@pytest.fixture
def lot(city: Any, make_user: Any) -> Iterator[ParkingLot]:
    owner = make_user("lot-owner")
    created = parking_lot_create(
        owner=owner, name="종로 공유주차장", lat=37.5730, lon=126.9794, spots=3, sharing_hours=WEEKDAYS
    )
    yield created
    clock.reset()


def _put(client: Client, lot: ParkingLot, hours: Any) -> Any:
    return client.put(
        f"/api/v1/sensors/parking/lots/{lot.pk}/hours", {"sharing_hours": hours}, content_type="application/json"
    )


def test_only_the_owner_sets_the_hours(lot: ParkingLot, make_user: Any) -> None:
    weekend = [{"days": [5, 6], "start": "08:00", "end": "20:00"}]
    assert _put(Client(), lot, weekend).status_code == 401
    neighbour = sign_in(Client(), make_user("neighbour"))
    r = _put(neighbour, lot, weekend)
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_your_device"
    official = sign_in(Client(), make_user("parking-official", role="official", department="11110-parking"))
    assert _put(official, lot, weekend).status_code == 403
    lot.refresh_from_db()
    assert lot.sharing_hours == WEEKDAYS
    owner = sign_in(Client(), lot.owner)
    r = _put(owner, lot, weekend)
    assert r.status_code == 200 and r.json()["sharing_hours"] == weekend
    admin = sign_in(Client(), make_user("city-admin", role="city_admin"))
    assert _put(admin, lot, WEEKDAYS).status_code == 200
    assert _put(owner, lot.__class__(pk=lot.pk + 999), weekend).status_code == 404


@pytest.mark.parametrize(
    "hours",
    [
        "09:00-18:00",
        [{"days": [7], "start": "09:00", "end": "18:00"}],
        [{"days": [], "start": "09:00", "end": "18:00"}],
        [{"days": [1], "start": "9:00", "end": "18:00"}],
        [{"days": [1], "start": "22:00", "end": "06:00"}],  # crosses midnight: two periods
        [{"days": [1], "start": "09:00", "end": "09:00"}],
        [{"days": [1], "start": "09:00", "end": "24:01"}],
        [{"days": ["mon"], "start": "09:00", "end": "18:00"}],
        ["every day"],
    ],
)
def test_bad_hours_are_refused_and_nothing_changes(lot: ParkingLot, hours: Any) -> None:
    r = _put(sign_in(Client(), lot.owner), lot, hours)
    assert r.status_code in (400, 422), r.content
    lot.refresh_from_db()
    assert lot.sharing_hours == WEEKDAYS


def test_shared_now_follows_the_hours_in_korean_time(lot: ParkingLot) -> None:
    monday = datetime(2024, 7, 1, tzinfo=KST)
    assert is_shared_at(WEEKDAYS, monday.replace(hour=9))
    assert is_shared_at(WEEKDAYS, monday.replace(hour=17, minute=59))
    assert not is_shared_at(WEEKDAYS, monday.replace(hour=18))  # the end is exclusive
    assert not is_shared_at(WEEKDAYS, monday.replace(hour=8, minute=59))
    assert not is_shared_at(WEEKDAYS, datetime(2024, 7, 6, 12, tzinfo=KST))  # Saturday
    late_sunday_utc = datetime.fromisoformat("2024-06-30T23:30:00+00:00")  # Monday 08:30 in Seoul
    assert not is_shared_at(WEEKDAYS, late_sunday_utc)
    assert is_shared_at(WEEKDAYS, datetime.fromisoformat("2024-07-01T00:30:00+00:00"))  # Monday 09:30 in Seoul
    assert is_shared_at([{"days": [6], "start": "00:00", "end": "24:00"}], datetime(2024, 7, 7, 23, 59, tzinfo=KST))

    client = Client()
    clock.freeze(datetime(2024, 7, 1, 10, tzinfo=KST))
    assert client.get(f"/api/v1/sensors/parking/lots/{lot.pk}").json()["shared_now"] is True
    clock.freeze(datetime(2024, 7, 6, 10, tzinfo=KST))
    body = client.get(f"/api/v1/sensors/parking/lots/{lot.pk}").json()
    assert body["shared_now"] is False and body["spots"] == 3 and body["unknown"] == 3
    assert Thing.objects.filter(parking_lot=lot, kind=ThingKind.PARKING_SPOT, owner=lot.owner).count() == 3
