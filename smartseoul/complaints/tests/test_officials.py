from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from smartseoul.complaints.errors import ComplaintErrorCode
from smartseoul.complaints.models import Complaint, ComplaintMedia
from smartseoul.complaints.services import (
    complaint_assign,
    complaint_merge,
    complaint_note_add,
    complaint_reject,
    complaint_reopen,
    complaint_resolve,
    complaint_start,
    complaint_submit,
    complaint_transfer,
    complaints_bulk,
    complaints_escalate_overdue,
)
from smartseoul.core import clock
from smartseoul.core.errors import DomainError
from smartseoul.core.models import AuditEvent, Notification

from .factories import jpeg, upload


@pytest.fixture
def report(citizen: Any, categories: Any, jongno: Any) -> Complaint:
    return complaint_submit(
        reporter=citizen,
        category_code="PARK-01",
        lat=jongno[0],
        lon=jongno[1],
        attributes={"PLATE": "12가3456", "ZONE": "BUS"},
    )


def test_full_flow_with_audit_and_notifications(official: Any, report: Complaint, citizen: Any) -> None:
    complaint_assign(actor=official, number=report.number, assignee_id=official.pk)
    complaint_start(actor=official, number=report.number)
    done = complaint_resolve(actor=official, number=report.number, note="Towed.", photo=upload(jpeg()))
    assert done.status == "resolved" and done.closed_at is not None
    assert [h.to_status for h in done.history.all()] == ["received", "assigned", "in_progress", "resolved"]
    actions = set(AuditEvent.objects.filter(target_id=str(report.pk)).values_list("action", flat=True))
    assert actions == {"complaints.assign", "complaints.start", "complaints.resolve"}
    resolved = Notification.objects.get(recipient=citizen, kind="complaints.resolved", channel="inbox")
    fix = ComplaintMedia.objects.get(complaint=report, source="resolution")
    assert fix.public_path in resolved.body and "Towed." in resolved.body
    kinds = set(Notification.objects.filter(recipient=citizen).values_list("kind", flat=True))
    assert {"complaints.received", "complaints.assigned", "complaints.in_progress", "complaints.resolved"} <= kinds


def test_resolution_needs_a_photo(official: Any, report: Complaint) -> None:
    with pytest.raises(DomainError) as exc:
        complaint_resolve(actor=official, number=report.number, note="done", photo=None)
    assert exc.value.code == ComplaintErrorCode.RESOLUTION_PHOTO_REQUIRED
    report.refresh_from_db()
    assert report.status == "received"


def test_reject_needs_a_reason_and_keeps_history(official: Any, report: Complaint) -> None:
    with pytest.raises(DomainError) as exc:
        complaint_reject(actor=official, number=report.number, reason="  ")
    assert exc.value.code == ComplaintErrorCode.REASON_REQUIRED
    complaint_reject(actor=official, number=report.number, reason="Private land; not a public road.")
    report.refresh_from_db()
    history = list(report.history.values_list("from_status", "to_status", "note"))
    assert history == [("", "received", ""), ("received", "rejected", "Private land; not a public road.")]
    with pytest.raises(DomainError):
        complaint_start(actor=official, number=report.number)


def test_transfer_moves_the_report_and_keeps_history(official: Any, make_user: Any, report: Complaint) -> None:
    complaint_assign(actor=official, number=report.number, assignee_id=official.pk)
    with pytest.raises(DomainError) as exc:
        complaint_transfer(actor=official, number=report.number, department_code="seoul-transport", reason="")
    assert exc.value.code == ComplaintErrorCode.REASON_REQUIRED
    complaint_transfer(
        actor=official,
        number=report.number,
        department_code="seoul-transport",
        reason="Arterial road: city transport division.",
    )
    report.refresh_from_db()
    assert report.department.code == "seoul-transport" and report.status == "transferred"
    assert report.assignee is None
    last = report.history.last()
    assert (last.kind, last.from_department.code, last.to_department.code) == (
        "transfer",
        "11110-parking",
        "seoul-transport",
    )
    # the old department can no longer act; the new one can
    with pytest.raises(DomainError) as exc:
        complaint_start(actor=official, number=report.number)
    assert exc.value.code == ComplaintErrorCode.NOT_YOUR_DEPARTMENT
    city_official = make_user(role="official", department="seoul-transport")
    complaint_start(actor=city_official, number=report.number)
    assert [h.to_status for h in report.history.all()] == ["received", "assigned", "transferred", "in_progress"]


def test_other_departments_and_citizens_are_refused(make_user: Any, citizen: Any, report: Complaint) -> None:
    outsider = make_user(role="official", department="11140-parking")
    for actor in (outsider, citizen):
        with pytest.raises(DomainError) as exc:
            complaint_start(actor=actor, number=report.number)
        assert exc.value.status == 403
    admin = make_user(role="city_admin")
    complaint_start(actor=admin, number=report.number)


def test_assignee_must_be_in_the_department(official: Any, make_user: Any, report: Complaint) -> None:
    stranger = make_user(role="official", department="11140-parking")
    with pytest.raises(DomainError) as exc:
        complaint_assign(actor=official, number=report.number, assignee_id=stranger.pk)
    assert exc.value.code == ComplaintErrorCode.NOT_A_MEMBER


def test_internal_notes_are_audited(official: Any, report: Complaint) -> None:
    note = complaint_note_add(actor=official, number=report.number, body="Called the tow company.")
    assert note.body == "Called the tow company."
    assert AuditEvent.objects.filter(action="complaints.note").count() == 1


def test_merge_tells_both_citizens(official: Any, make_user: Any, categories: Any, jongno: Any) -> None:
    a_user, b_user = make_user(), make_user()
    a = complaint_submit(
        reporter=a_user, category_code="PARK-01", lat=jongno[0], lon=jongno[1], attributes={"PLATE": "1", "ZONE": "BUS"}
    )
    b = complaint_submit(
        reporter=b_user, category_code="PARK-01", lat=jongno[0], lon=jongno[1], attributes={"PLATE": "1", "ZONE": "BUS"}
    )
    target = complaint_merge(actor=official, number=b.number, into_number=a.number)
    b.refresh_from_db()
    assert b.status == "merged" and b.merged_into_id == a.pk
    assert target.metoos.filter(user=b_user).exists()
    assert Notification.objects.filter(recipient=a_user, kind="complaints.merged").exists()
    assert Notification.objects.filter(recipient=b_user, kind="complaints.merged").exists()


def test_reopen_within_14_days_only(official: Any, report: Complaint, citizen: Any, make_user: Any) -> None:
    complaint_resolve(actor=official, number=report.number, note="", photo=upload(jpeg()))
    with pytest.raises(DomainError) as exc:
        complaint_reopen(user=make_user(), number=report.number, reason="still there")
    assert exc.value.code == ComplaintErrorCode.NOT_REPORTER
    clock.advance(13 * 86400)
    again = complaint_reopen(user=citizen, number=report.number, reason="The car is back.")
    assert again.status == "reopened" and again.closed_at is None
    complaint_resolve(actor=official, number=report.number, note="", photo=upload(jpeg()))
    clock.advance(15 * 86400)
    with pytest.raises(DomainError) as exc:
        complaint_reopen(user=citizen, number=report.number, reason="again")
    assert exc.value.code == ComplaintErrorCode.REOPEN_WINDOW_CLOSED


def test_bulk_is_all_or_nothing(official: Any, make_user: Any, categories: Any, jongno: Any) -> None:
    reports = [
        complaint_submit(
            reporter=make_user(),
            category_code="PARK-01",
            lat=jongno[0],
            lon=jongno[1],
            attributes={"PLATE": "1", "ZONE": "BUS"},
        )
        for _ in range(3)
    ]
    foreign = complaint_submit(reporter=make_user(), category_code="NOISE-01", lat=jongno[0], lon=jongno[1])
    with pytest.raises(DomainError):
        complaints_bulk(actor=official, numbers=[r.number for r in reports] + [foreign.number], action="start")
    assert Complaint.objects.filter(status="in_progress").count() == 0
    assert (
        complaints_bulk(actor=official, numbers=[r.number for r in reports], action="assign", assignee_id=official.pk)
        == 3
    )
    assert Complaint.objects.filter(status="assigned", assignee=official).count() == 3


def test_overdue_reports_are_escalated_once(official: Any, report: Complaint, make_user: Any) -> None:
    from smartseoul.core.models import Department

    head = make_user(role="official", department="11110-parking")
    Department.objects.filter(code="11110-parking").update(head=head)
    clock.advance(10 * 86400)
    assert complaints_escalate_overdue() == 1
    assert complaints_escalate_overdue() == 0
    message = Notification.objects.get(recipient=head, kind="complaints.escalated", channel="inbox")
    assert report.number in message.body
    assert AuditEvent.objects.filter(action="complaints.escalate").count() == 1
    assert not Notification.objects.filter(recipient=official, kind="complaints.escalated").exists()


def test_due_date_is_recomputed_on_reopen(official: Any, report: Complaint, citizen: Any) -> None:
    complaint_resolve(actor=official, number=report.number, note="", photo=upload(jpeg()))
    clock.advance(2 * 86400)
    again = complaint_reopen(user=citizen, number=report.number, reason="not fixed")
    assert again.due_at > clock.now() - timedelta(hours=1)
