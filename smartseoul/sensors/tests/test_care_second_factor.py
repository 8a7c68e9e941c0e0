"""Care data is staff data: an assigned caseworker signed in with the password alone reads and
handles no care alert until the second factor."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import sign_in
from smartseoul.core import clock
from smartseoul.sensors.models import CareAlert, CareAlertKind
from smartseoul.sensors.services.care import caseworker_assign, senior_register

pytestmark = pytest.mark.django_db


@pytest.fixture
def alert(city: Any, make_user: Any) -> CareAlert:
    caseworker = make_user("caseworker-c", role="official", capabilities=("caseworker",))
    senior = senior_register(label="JN-2031-0001", district_code="11110", actor=caseworker)
    caseworker_assign(senior=senior, caseworker=caseworker, actor=caseworker)
    return CareAlert.objects.create(
        senior=senior, kind=CareAlertKind.values[0], opened_at=clock.now(), detail="no motion since 09:00"
    )


def test_care_alerts_need_the_second_factor(alert: CareAlert, client: Any) -> None:
    caseworker = alert.senior.assignments.get().caseworker
    sign_in(client, caseworker, second_factor=False)
    listed = client.get("/api/v1/sensors/care/alerts")
    assert listed.status_code == 403 and b"JN-2031" not in listed.content
    for action in ("acknowledge", "close"):
        response = client.post(
            f"/api/v1/sensors/care/alerts/{alert.pk}/{action}", {"note": "visited"}, content_type="application/json"
        )
        assert response.status_code == 403, action
    alert.refresh_from_db()
    assert alert.acknowledged_at is None and alert.closed_at is None

    sign_in(client, caseworker)
    assert [a["id"] for a in client.get("/api/v1/sensors/care/alerts").json()] == [alert.pk]
    assert client.post(f"/api/v1/sensors/care/alerts/{alert.pk}/acknowledge").status_code == 200
