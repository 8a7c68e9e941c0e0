"""Background work of the complaints module: the follow-up of each filed report."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def follow_up_report(complaint_id: int) -> bool:
    """Routes a just-filed report and notifies its reporter (see `services.complaint_follow_up`)."""
    return services.complaint_follow_up(complaint_id=complaint_id)
