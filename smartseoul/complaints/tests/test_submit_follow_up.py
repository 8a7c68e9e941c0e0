"""Filing a report answers after one short transaction: the report, its "received" history row
and its follow-up task. Routing and the reporter's notifications are the follow-up's work, done
by the task worker; these tests use the database task queue as production does and run the
worker's own task runner by hand."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from smartseoul.complaints import services
from smartseoul.complaints.models import Complaint
from smartseoul.core import clock
from smartseoul.core.models import Notification

# What the request may do, statement by statement: read the session and its user, check the
# configuration cache's signature, then write the report, its history row and its task.
# A change that adds a query to filing a report fails here; lower the numbers when you remove one.
API_SUBMIT_STATEMENTS = [
    "SELECT django_session",
    "SELECT accounts_user",
    "SELECT config signature",
    "INSERT complaints_complaint",
    "INSERT complaints_statuschange",
    "INSERT django_tasks_database_dbtaskresult",
]
# An Open311 client's key is looked up, its daily quota counted and each write audited (the
# accounts module's rules for every key) before the same three writes.
OPEN311_SUBMIT_STATEMENTS = [
    "SELECT accounts_apikey",
    "SELECT accounts_apikeyusage",
    "UPDATE accounts_apikeyusage",
    "SELECT accounts_apikeyusage",
    "UPDATE accounts_apikey",
    "INSERT core_auditevent",
    "SELECT config signature",
    "INSERT complaints_complaint",
    "INSERT complaints_statuschange",
    "INSERT django_tasks_database_dbtaskresult",
]


@pytest.fixture
def queued(settings: Any) -> None:
    """The database task queue (the test default runs each task at once when it is enqueued)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run_queue() -> list[str]:
    """Runs every ready task as the worker process does (claim, run, record the outcome);
    returns the outcomes."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    for row in DBTaskResult.objects.ready().order_by("enqueued_at"):
        row.claim(worker.worker_id)
        worker.run_task(row)
    return [r.status for r in DBTaskResult.objects.order_by("enqueued_at")]


def _statement(sql: str) -> str | None:
    words = sql.replace('"', "").split()
    verb = words[0].upper()
    if verb in ("SAVEPOINT", "RELEASE", "BEGIN", "COMMIT"):
        return None
    if "(SELECT COUNT(*) FROM complaints_category)" in sql:
        return "SELECT config signature"
    table = words[words.index("FROM") + 1] if verb == "SELECT" else words[2] if verb == "INSERT" else words[1]
    return f"{verb} {table.split('.')[0]}"


def _statements(ctx: CaptureQueriesContext) -> list[str]:
    return [s for s in (_statement(q["sql"]) for q in ctx.captured_queries) if s]


def _api_body(jongno: Any, n: int = 0) -> dict[str, Any]:
    return {"category": "WALK-01", "lat": jongno[0] + n * 1e-4, "lon": jongno[1], "description": f"broken kerb {n}"}


def test_native_api_submission_makes_the_fewest_queries(
    client: Any, make_user: Any, categories: Any, jongno: Any, queued: None
) -> None:
    client.force_login(make_user())
    warm = client.post("/api/v1/complaints/reports", _api_body(jongno), content_type="application/json")
    assert warm.status_code == 201, warm.content  # the first one fills the per-process caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.post("/api/v1/complaints/reports", _api_body(jongno, 1), content_type="application/json")
    assert response.status_code == 201, response.content
    assert _statements(ctx) == API_SUBMIT_STATEMENTS
    receipt = response.json()
    assert receipt["status"] == "received" and receipt["department"] is None  # being routed
    assert Complaint.objects.filter(department=None).count() == 2
    assert not Notification.objects.filter(kind="complaints.received").exists()


def test_open311_submission_makes_the_fewest_queries(
    client: Any, make_user: Any, categories: Any, jongno: Any, queued: None
) -> None:
    from smartseoul.accounts.services import api_key_create

    _key, raw = api_key_create(owner=make_user("partner_app", verification=0), name="app", scopes=["open311:write"])

    def post(n: int) -> Any:
        return client.post(
            "/open311/v2/requests.json",
            {"api_key": raw, "service_code": "WALK-01", "lat": str(jongno[0] + n * 1e-4), "long": str(jongno[1])},
        )

    assert post(0).status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        response = post(1)
    assert response.status_code == 200, response.content
    assert _statements(ctx) == OPEN311_SUBMIT_STATEMENTS
    (receipt,) = response.json()
    assert receipt["service_request_id"] and "배정 중" in receipt["service_notice"]  # being assigned


def test_the_citizen_sees_received_then_the_department_after_the_worker_ran(
    client: Any, make_user: Any, categories: Any, jongno: Any, official: Any, queued: None
) -> None:
    from conftest import sign_in

    citizen = make_user()
    client.force_login(citizen)
    response = client.post(
        "/complaints/new/",
        {
            "category": "PARK-01",
            "lat": jongno[0],
            "lon": jongno[1],
            "attr_PARK-01_PLATE": "12가3456",
            "attr_PARK-01_ZONE": "HYDRANT",
        },
        HTTP_ACCEPT_LANGUAGE="ko",
    )
    assert response.status_code == 302
    receipt = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    complaint = Complaint.objects.get()
    assert complaint.number in receipt
    assert "접수" in receipt and "배정 중" in receipt  # received; department being assigned
    assert "주차관리과" not in receipt
    assert not Notification.objects.filter(recipient=citizen).exists()

    office = client.__class__()
    sign_in(office, official)
    assert complaint.number not in office.get("/complaints/office/").content.decode()  # not routed yet

    assert run_queue() == ["SUCCESSFUL"]
    complaint.refresh_from_db()
    assert complaint.department is not None and complaint.department.code == "11110-parking"
    assert complaint.status == "received"
    page = client.get(f"/complaints/r/{complaint.number}/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert complaint.department.name in page and "배정 중" not in page
    assert complaint.number in office.get("/complaints/office/").content.decode()
    sent = Notification.objects.filter(recipient=citizen, kind="complaints.received")
    assert {n.channel for n in sent} == {"inbox", "sms"}
    assert complaint.department.name in sent.get(channel="inbox").body
    api = client.get(f"/api/v1/complaints/reports/{complaint.number}").json()
    assert api["department"] == complaint.department.name


def test_a_failing_follow_up_never_loses_the_report(
    citizen: Any, categories: Any, jongno: Any, queued: None, monkeypatch: Any
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("routing service down")

    monkeypatch.setattr(services, "route", broken)
    c = services.complaint_submit(reporter=citizen, category_code="ROAD-01", lat=jongno[0], lon=jongno[1])
    assert run_queue() == ["FAILED"]
    stored = Complaint.objects.get(pk=c.pk)
    assert stored.number == c.number and stored.status == "received" and stored.department_id is None
    assert list(stored.history.values_list("to_status", flat=True)) == ["received"]
    assert not Notification.objects.filter(recipient=citizen).exists()  # nothing half-done

    monkeypatch.undo()
    assert services.complaints_follow_up_pending() == 0  # too recent: its task may still be on its way
    clock.advance(60)
    assert services.complaints_follow_up_pending() == 1  # the sweep behind the queue
    stored.refresh_from_db()
    assert stored.department is not None
    assert Notification.objects.filter(recipient=citizen, kind="complaints.received", channel="inbox").count() == 1
    # running the follow-up again (a retried task, another sweep) changes nothing
    assert services.complaint_follow_up(complaint_id=c.pk) is False
    assert services.complaints_follow_up_pending() == 0
    assert Notification.objects.filter(recipient=citizen, kind="complaints.received").count() == 2  # inbox + sms


def test_a_follow_up_failing_inline_does_not_fail_the_submission(
    citizen: Any, categories: Any, jongno: Any, monkeypatch: Any
) -> None:
    """With the task backend that runs each task as it is enqueued (inside the submission's
    transaction), a failing follow-up is rolled back alone: the report is still filed."""

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("routing service down")

    monkeypatch.setattr(services, "route", broken)
    c = services.complaint_submit(reporter=citizen, category_code="ROAD-01", lat=jongno[0], lon=jongno[1])
    stored = Complaint.objects.get(pk=c.pk)
    assert stored.department_id is None and stored.status == "received"
    assert not Notification.objects.filter(recipient=citizen).exists()


def test_a_report_no_department_takes_waits_for_one(citizen: Any, categories: Any, jongno: Any, queued: None) -> None:
    from smartseoul.complaints.models import RoutingRule
    from smartseoul.core.models import Department

    RoutingRule.objects.filter(category__code="NOISE-01").delete()
    for department in Department.objects.all():
        if "noise" in (department.work_categories or []):
            department.work_categories = [w for w in department.work_categories if w != "noise"]
            department.save(update_fields=["work_categories"])
    services._config.clear()
    c = services.complaint_submit(reporter=citizen, category_code="NOISE-01", lat=jongno[0], lon=jongno[1])
    assert run_queue() == ["FAILED"]
    assert Complaint.objects.get(pk=c.pk).department_id is None
    services.routing_rule_set(category_code="NOISE-01", district_code=None, department_code="seoul-environment")
    clock.advance(60)
    assert services.complaints_follow_up_pending() == 1
    routed = Complaint.objects.get(pk=c.pk).department
    assert routed is not None and routed.code == "seoul-environment"
