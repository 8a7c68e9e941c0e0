"""The mayor's office never computes a widget in a request: the task worker computes each area's
figures (after the demo load, on the scheduler's refresh, and when a page asks for an area whose
figures are missing or old) and pages show the last stored figures or a "being computed" state."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache

from smartseoul.core import clock, registry
from smartseoul.core.registry import Widget, WidgetQuery
from smartseoul.dashboard import services
from smartseoul.dashboard.models import AreaFigures
from smartseoul.dashboard.selectors import AreaKey

computed: list[tuple[str | None, bool]] = []


def _counted(q: WidgetQuery):
    computed.append((q.district_code, q.internal))
    return {"value": 4321, "unit": "건"}


def _broken(q: WidgetQuery):
    raise RuntimeError("module database is down")


@pytest.fixture
def queue(settings):
    """A task backend that only records what was queued (the tests' default runs tasks at once)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django_tasks import default_task_backend

    default_task_backend.clear()
    computed.clear()
    return default_task_backend


@pytest.fixture
def counted(register):
    register(widgets=(Widget("fake.counted", "Complaints counted", "stat", _counted, order=1),))


def _run(result):
    from smartseoul.dashboard.tasks import compute_area

    return compute_area.call(*result.args, **result.kwargs)


def test_first_view_answers_at_once_being_computed_and_queues_the_area_once(city, client, queue, counted):
    html = client.get("/mayor/?district=11110").content.decode()
    assert computed == []  # nothing computed in the request
    assert 'data-widget="fake.counted"' in html and "data-computing" in html
    assert "계산 중입니다. 잠시 후 수치가 나타납니다." in html  # Korean page, Korean state
    assert 'data-pending="' in html and 'hx-trigger="every 3s"' in html  # the board polls until they arrive
    assert len(queue.results) == 1
    assert queue.results[0].kwargs == {"period": "7d", "district_code": "11110", "neighborhood_code": None,
                                       "internal": False, "language": "ko"}
    cache.clear()  # another process, or the next poll once the cache expired: reads the store again
    client.get("/mayor/board?period=7d&district=11110")
    api = client.get("/api/v1/dashboard/widgets?district=11110").json()
    assert len(queue.results) == 1  # still queued once: no duplicate while it waits
    card = next(w for w in api if w["key"] == "fake.counted")
    assert card["state"] == "computing" and card["data"] == {} and card["message"].startswith("계산 중")


def test_the_state_is_in_english_for_english_readers(city, client, queue, counted):
    card = next(w for w in client.get("/api/v1/dashboard/widgets", HTTP_ACCEPT_LANGUAGE="en").json()
                if w["key"] == "fake.counted")
    assert card["state"] == "computing"
    assert card["message"] == "Being computed. The figures appear in a few seconds."
    assert queue.results[0].kwargs["language"] == "en"  # labels are computed in the reader's language
    html = client.get("/mayor/?district=11110", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Being computed. The figures appear in a few seconds." in html


def test_figures_appear_after_the_task_ran(city, client, queue, counted):
    client.get("/mayor/?district=11110")
    outcome = _run(queue.results[0])
    assert computed == [("11110", False)] and outcome["unavailable"] == 0
    assert AreaFigures.objects.get(area="7d|11110|-|p|ko").queued_at is None
    cache.clear()
    html = client.get("/mayor/board?period=7d&district=11110").content.decode()
    assert "4,321" in html and "data-computing" not in html and 'hx-trigger="every 10s"' in html
    card = next(w for w in client.get("/api/v1/dashboard/widgets?district=11110").json() if w["key"] == "fake.counted")
    assert card["state"] == "ready" and card["data"]["value"] == 4321 and card["message"] is None
    assert len(queue.results) == 1 and computed == [("11110", False)]  # fresh figures: nothing queued again


def test_old_figures_are_shown_while_their_recomputation_is_queued(city, client, queue, counted):
    client.get("/mayor/")
    _run(queue.results[0])
    AreaFigures.objects.filter(area="7d|-|-|p|ko").update(computed_at=clock.now() - timedelta(hours=1))
    cache.clear()
    html = client.get("/mayor/board?period=7d").content.decode()
    assert "4,321" in html and "data-computing" not in html  # the last figures, not a wait
    assert len(queue.results) == 2  # and one recomputation queued


def test_a_failing_provider_does_not_break_the_other_widgets(city, client, queue, register):
    register(widgets=(Widget("fake.counted", "Complaints counted", "stat", _counted, order=1),
                      Widget("fake.broken", "Broken module", "stat", _broken, order=2)))
    client.get("/mayor/")
    outcome = _run(queue.results[0])
    assert outcome["unavailable"] >= 1
    stored = AreaFigures.objects.get(area="7d|-|-|p|ko").figures
    assert stored["fake.counted"] == {"data": {"value": 4321, "unit": "건"}, "error": ""}
    assert stored["fake.broken"] == {"data": {}, "error": "unavailable"}
    cache.clear()
    html = client.get("/mayor/board?period=7d").content.decode()
    assert "4,321" in html and "일시적으로 볼 수 없습니다." in html and "data-computing" not in html
    api = {w["key"]: w for w in client.get("/api/v1/dashboard/widgets").json()}
    assert api["fake.counted"]["state"] == "ready"
    assert api["fake.broken"]["state"] == "unavailable" and api["fake.broken"]["error"] == "unavailable"


def test_internal_figures_are_stored_apart_and_never_reach_the_public_area(city, queue, register):
    register(widgets=(Widget("fake.counted", "Complaints counted", "stat", _counted),
                      Widget("fake.secret", "Secret", "stat", lambda q: {"value": 99}, internal=True)))
    services.figures_compute(AreaKey("7d", None, None, True, "ko"))
    services.figures_compute(AreaKey("7d", None, None, False, "ko"))
    assert "fake.secret" in AreaFigures.objects.get(area="7d|-|-|i|ko").figures
    assert "fake.secret" not in AreaFigures.objects.get(area="7d|-|-|p|ko").figures


def test_the_demo_queues_every_standard_area_once(city, queue):
    manifest = next(m for m in registry.manifests() if m.name == "dashboard")
    assert manifest.demo is not None
    manifest.demo()
    areas = {(r.kwargs["district_code"], r.kwargs["internal"], r.kwargs["language"]) for r in queue.results}
    assert len(queue.results) == len(areas) == 26 * 2 * 2  # city + 25 districts, public and officials', ko and en
    assert (None, False, "ko") in areas and ("11680", True, "en") in areas
    assert services.figures_request_all() == 0  # all already queued: nothing twice


def test_the_scheduler_refreshes_old_areas_and_areas_shown_lately(city, client, queue, counted):
    job = next(p for p in registry.periodic() if p.name == "dashboard-figures")
    assert job.run() == 26 * 2 * 2  # nothing computed yet: every standard area
    for result in list(queue.results):
        _run(result)
    queue.clear()
    assert job.run() == 0  # all fresh
    client.get("/mayor/?district=11110&period=30d")  # an area that is not a standard one, shown
    _run(queue.results[0])
    queue.clear()
    old = clock.now() - timedelta(seconds=services.refresh_seconds() + 1)
    AreaFigures.objects.filter(area__in=["7d|-|-|p|ko", "30d|11110|-|p|ko"]).update(computed_at=old)
    assert job.run() == 2
    assert {(r.kwargs["period"], r.kwargs["district_code"]) for r in queue.results} == {("7d", None), ("30d", "11110")}
    AreaFigures.objects.filter(area="30d|11110|-|p|ko").update(
        computed_at=old, queued_at=None, viewed_at=clock.now() - timedelta(days=2))
    queue.clear()
    assert job.run() == 0  # shown two days ago, not a standard area: left alone
