"""Background work of the analytics module: jobs run by the task worker."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def run_job(job_id: int) -> str:
    return str(services.job_run(job_id=job_id).state)
