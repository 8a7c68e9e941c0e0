"""The audit log is readable by auditors (and city administrators), read-only, behind the second factor."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest

from conftest import sign_in
from smartseoul.core import clock
from smartseoul.core.models import AuditEvent
from smartseoul.core.services import audit_record


@pytest.fixture
def auditor(make_user: Any) -> Any:
    return make_user("auditor", role="auditor")


@pytest.fixture
def events(official: Any) -> list[AuditEvent]:
    now = clock.now()
    made = [
        audit_record(actor=official, action="complaints.resolve", target_type="complaints.complaint", target_id="7"),
        audit_record(actor=official, action="complaints.assign", target_type="complaints.complaint", target_id="8"),
        audit_record(actor=None, action="core.boundary_import", details={"districts": 25}),
    ]
    AuditEvent.objects.filter(pk=made[2].pk).update(at=now - timedelta(days=10))
    return made


def test_auditor_reads_and_filters_the_log(client: Any, auditor: Any, events: list[AuditEvent]) -> None:
    c = sign_in(client, auditor)
    page = c.get("/city/office/audit/")
    assert page.status_code == 200
    body = page.content.decode()
    assert body.count('data-action="complaints.') == 2 and 'data-action="core.boundary_import"' in body

    only_resolve = c.get("/city/office/audit/", {"action": "complaints.resolve"}).content.decode()
    assert 'data-action="complaints.resolve"' in only_resolve and 'data-action="complaints.assign"' not in only_resolve

    today = clock.now().date().isoformat()
    recent = c.get("/city/office/audit/", {"since": today}).content.decode()
    assert 'data-action="core.boundary_import"' not in recent and 'data-action="complaints.assign"' in recent

    by_target = c.get("/city/office/audit/", {"target_type": "complaints.complaint", "target_id": "8"}).content.decode()
    assert by_target.count('data-action="') == 1 and 'data-action="complaints.assign"' in by_target


def test_csv_export_is_filtered_and_itself_audited(client: Any, auditor: Any, official: Any, events: Any) -> None:
    c = sign_in(client, auditor)
    response = c.get("/city/office/audit.csv", {"actor": official.username})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark: Excel reads Korean, not mojibake
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == ["at", "actor", "action", "target_type", "target_id", "ip", "details"]
    assert sorted(r[2] for r in rows[1:]) == ["complaints.assign", "complaints.resolve"]
    assert all(not cell.startswith(("=", "+", "@")) for row in rows for cell in row)
    export = AuditEvent.objects.get(action="core.audit_export")
    assert export.actor == auditor and export.details == {"filters": {"actor": official.username}}


@pytest.mark.parametrize("role", ["citizen", "official"])
def test_others_may_not_read_the_log(client: Any, make_user: Any, role: str, events: Any) -> None:
    c = sign_in(client, make_user(f"reader-{role}", role=role))
    for url in ("/city/office/audit/", "/city/office/audit.csv"):
        response = c.get(url, HTTP_ACCEPT="application/json")
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "not_an_auditor"
    assert not AuditEvent.objects.filter(action="core.audit_export").exists()


def test_city_administrator_reads_the_log(client: Any, make_user: Any, events: Any) -> None:
    c = sign_in(client, make_user("city_admin", role="city_admin"))
    assert c.get("/city/office/audit/").status_code == 200


def test_the_log_needs_the_second_factor_and_a_sign_in(client: Any, auditor: Any, events: Any) -> None:
    anonymous = client.get("/city/office/audit/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    c = sign_in(client, auditor, second_factor=False)
    response = c.get("/city/office/audit/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/second-factor/")


def test_a_malformed_date_is_a_clear_400(client: Any, auditor: Any, events: Any) -> None:
    c = sign_in(client, auditor)
    response = c.get("/city/office/audit/", {"since": "yesterday"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_filter"
    reversed_range = c.get("/city/office/audit/", {"since": "2026-12-02", "until": "2026-12-01"})
    assert reversed_range.status_code == 400
    assert AuditEvent.objects.count() == len(events)


def test_the_log_cannot_be_changed_through_the_admin(client: Any, make_user: Any, events: Any) -> None:
    admin = make_user("root", role="city_admin")
    admin.is_superuser = True
    admin.save()
    c = sign_in(client, admin)
    target = events[0]
    assert c.post(f"/admin/core/auditevent/{target.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=target.pk).exists()


def test_office_shows_the_audit_tile_only_to_readers(client: Any, auditor: Any, official: Any) -> None:
    assert "/city/office/audit/" in sign_in(client, auditor).get("/office/").content.decode()
    client.logout()
    assert "/city/office/audit/" not in sign_in(client, official).get("/office/").content.decode()


def test_csv_cells_never_start_a_formula(client: Any, auditor: Any) -> None:
    audit_record(actor=None, action='=HYPERLINK("http://evil")', target_id="+1")
    body = b"".join(sign_in(client, auditor).get("/city/office/audit.csv").streaming_content).decode()
    row = next(r for r in csv.reader(io.StringIO(body)) if "HYPERLINK" in "".join(r))
    assert row[2].startswith("'=") and row[4] == "'+1"


def test_the_log_speaks_korean_and_english(client: Any, auditor: Any, events: Any) -> None:
    c = sign_in(client, auditor)
    korean = c.get("/city/office/audit/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "<h1>감사 기록</h1>" in korean and "3건" in korean
    english = c.get("/city/office/audit/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<h1>Audit log</h1>" in english and "3 entries" in english
