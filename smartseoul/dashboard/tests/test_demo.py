from __future__ import annotations

from smartseoul.core.models import District, PointOfInterest
from smartseoul.dashboard.demo import PER_DISTRICT, load_demo
from smartseoul.dashboard.models import ThemeMap


def test_demo_has_every_facility_type_in_every_district_and_is_idempotent(city):
    load_demo()
    first = PointOfInterest.objects.count()
    assert first == sum(PER_DISTRICT.values()) * District.objects.count()
    for key in PER_DISTRICT:
        assert PointOfInterest.objects.filter(type__key=key).values("district").distinct().count() == 25
    load_demo()
    assert PointOfInterest.objects.count() == first and ThemeMap.objects.count() == 2
