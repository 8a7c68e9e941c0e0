"""The outbox: one row per channel, delivery through the task queue, retries, a failed state."""

from __future__ import annotations

import pytest

from smartseoul.core import services
from smartseoul.core.errors import InvalidInput
from smartseoul.core.models import DeliveryStatus, Notification


def test_notify_queues_inbox_and_sms_and_delivers(citizen, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        created = services.notify(recipient=citizen, kind="test.hello", subject="Hello", body="Welcome")
    assert {n.channel for n in created} == {"inbox", "sms"}
    assert set(Notification.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}


def test_sms_is_skipped_for_a_user_without_phone(make_user, city):
    user = make_user("nophone", verification=0)
    created = services.notify(recipient=user, kind="test", subject="s", body="b", channels=["sms", "inbox"])
    assert [n.channel for n in created] == ["inbox"]


def test_unknown_channel_is_refused(citizen):
    with pytest.raises(InvalidInput):
        services.notify(recipient=citizen, kind="t", subject="s", body="b", channels=["pigeon"])
    assert not Notification.objects.exists()


def test_failing_gateway_retries_then_marks_failed(citizen, settings, django_capture_on_commit_callbacks):
    settings.SMS_GATEWAY = "smartseoul.core.notifications.FailingSmsGateway"
    with django_capture_on_commit_callbacks(execute=True):
        (sms,) = services.notify(recipient=citizen, kind="t", subject="s", body="b", channels=["sms"])
    sms.refresh_from_db()
    assert sms.status == DeliveryStatus.PENDING and sms.attempts == 1 and sms.last_error
    for _ in range(services.MAX_ATTEMPTS - 1):
        services.notification_retry_pending()
    sms.refresh_from_db()
    assert sms.status == DeliveryStatus.FAILED and sms.attempts == services.MAX_ATTEMPTS


def test_inbox_page_lists_and_marks_read(client, citizen):
    (msg, _sms) = services.notify(recipient=citizen, kind="t", subject="Road fixed", body="Thanks")
    client.force_login(citizen)
    page = client.get("/city/inbox/")
    assert "Road fixed" in page.content.decode()
    client.post(f"/city/inbox/{msg.pk}/read")
    msg.refresh_from_db()
    assert msg.read_at is not None
