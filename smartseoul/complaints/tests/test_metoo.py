"""'Me too' under concurrency: threads with their own database connections, like real requests."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections

from smartseoul.complaints.models import Complaint, MeToo
from smartseoul.complaints.services import complaint_metoo, complaint_submit

POOL = 20  # like a server's connection pool: 100 requests in flight, at most 20 database connections


def _run(users: list[Any], number: str) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(len(users))
    pool = threading.BoundedSemaphore(POOL)

    def click(user: Any) -> None:
        start.wait()
        with pool:
            try:
                complaint_metoo(user=user, number=number)
            except BaseException as exc:  # collected and asserted in the test thread
                errors.append(exc)
            finally:
                connections.close_all()

    threads = [threading.Thread(target=click, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


@pytest.mark.django_db(transaction=True)
def test_100_concurrent_clicks_all_count_and_repeats_count_once(make_user: Any, city: Any, settings: Any) -> None:
    from .factories import load_categories

    load_categories()
    settings.COMPLAINTS_METOO_PER_HOUR = 1000
    reporter = make_user()
    from smartseoul.core.models import District

    d = District.objects.get(code="11110")
    report = complaint_submit(reporter=reporter, category_code="ROAD-01", lat=d.centroid_lat, lon=d.centroid_lon)
    citizens = [make_user() for _ in range(100)]
    if connection.vendor == "sqlite":
        connections.close_all()
    assert _run(citizens, report.number) == []
    report.refresh_from_db()
    assert report.metoo_count == 100
    assert MeToo.objects.filter(complaint=report).count() == 100

    same = citizens[0]
    assert _run([same] * 20, report.number) == []
    assert Complaint.objects.get(pk=report.pk).metoo_count == 100
    assert MeToo.objects.filter(complaint=report, user=same).count() == 1
