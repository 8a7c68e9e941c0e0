"""Background work of the core module."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def deliver_notification(notification_id: int) -> str:
    return services.notification_deliver(notification_id=notification_id).status


@task()
def retry_pending_notifications() -> int:
    return services.notification_retry_pending()
