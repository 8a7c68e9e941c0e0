"""The mayor's figures, computed by the task worker with every module's real widgets, take the
same number of queries whether the city has a few reports or many (no per-row query hides in a
widget), and the page that shows them reads the stored figures, never a module's table."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from smartseoul.complaints import services as complaints
from smartseoul.complaints.demo import CATEGORIES
from smartseoul.complaints.models import Complaint
from smartseoul.core import poi
from smartseoul.dashboard import services as dashboard
from smartseoul.dashboard.selectors import AreaKey


def test_real_widgets_queries_do_not_grow_with_reports(city: Any, client: Any, make_user: Any) -> None:
    for spec in CATEGORIES:
        complaints.category_upsert(**spec)
        complaints.routing_build_defaults(category_code=spec["code"])
    poi.poi_types_ensure_defaults()
    reporter = make_user("generator")
    counts = []
    for total in (10, 40, 1500):  # the first round also warms in-process indexes; every round adds reports
        complaints.complaints_generate(count=total - Complaint.objects.count(), reporter=reporter, days=30, seed=total)
        with CaptureQueriesContext(connection) as computing:
            dashboard.figures_compute(AreaKey("7d", None, None, False, "ko"))  # the task worker's work
        cache.clear()
        with CaptureQueriesContext(connection) as cold:
            response = client.get("/mayor/")
        html = response.content.decode()
        assert response.status_code == 200 and 'data-widget="complaints.today"' in html and "data-computing" not in html
        assert not any("complaints_complaint" in q["sql"] for q in cold.captured_queries)
        counts.append((len(computing), len(cold)))
    assert Complaint.objects.count() == 1500
    assert counts[1] == counts[2], counts
