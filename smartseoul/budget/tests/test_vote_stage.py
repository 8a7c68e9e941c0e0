"""The phase an official chooses decides when citizens vote (issue 16, defect 4): moving a cycle to
its vote phase on the office page opens the ballot now, whatever the scheduled dates said; the
office chooses (or keeps the default) closing time; moving on closes the vote; the pages say when
it closes, in Seoul time with its date."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from conftest import sign_in
from smartseoul.budget import selectors, services
from smartseoul.budget.errors import BudgetInvalid
from smartseoul.budget.models import Cycle
from smartseoul.core import clock

pytestmark = pytest.mark.django_db
SEOUL = ZoneInfo("Asia/Seoul")


@pytest.fixture
def deliberating(budget_admin: Any, budget_official: Any, make_user: Any) -> Any:
    """A cycle in committee deliberation whose schedule puts the vote two months ahead (like the
    demo's 2026 cycle when an official moves it early), with two eligible projects."""

    def make(*, vote_in_days: int = 60, vote_days: int = 15, slug: str = "early") -> Cycle:
        now = clock.now()
        opens = now + timedelta(days=vote_in_days)
        start = min(now, opens) - timedelta(days=40)
        dates = services.CycleDates(
            submission_opens=start,
            submission_closes=start + timedelta(days=10),
            review_closes=start + timedelta(days=20),
            deliberation_closes=start + timedelta(days=30),
            vote_opens=opens,
            vote_closes=opens + timedelta(days=vote_days),
        )
        cycle = services.cycle_create(
            actor=budget_admin,
            slug=slug,
            year=2026,
            name_ko="조기 투표",
            total_amount=10**10,
            dates=dates,
            vote_method="knapsack",
        )
        services.envelope_create(
            actor=budget_admin, cycle_id=cycle.pk, kind="citywide", amount=10**9, name_ko="시 전체"
        )
        services.cycle_advance(actor=budget_admin, cycle_id=cycle.pk, to_phase="submission")
        proposer = make_user()
        for i, cost in enumerate((400_000_000, 300_000_000)):
            services.project_submit(
                user=proposer,
                cycle_id=cycle.pk,
                proposal_type="broad",
                title=f"사업 {i} 제목",
                summary="시민을 위한 좋은 사업입니다.",
                requested_cost=cost,
            )
        services.cycle_advance(actor=budget_admin, cycle_id=cycle.pk, to_phase="review")
        for p in cycle.projects.all():
            services.project_review(actor=budget_official, project_id=p.pk, feasible=True, cost=p.requested_cost)
        services.cycle_advance(actor=budget_admin, cycle_id=cycle.pk, to_phase="deliberation")
        cycle.refresh_from_db()
        return cycle

    return make


def _office(client: Any, admin: Any) -> Any:
    return sign_in(client, admin)


def test_moving_to_the_vote_on_the_office_page_opens_the_ballot_now(
    client: Any, deliberating: Any, budget_admin: Any, make_user: Any
) -> None:
    cycle = deliberating(vote_in_days=60)
    office = _office(client, budget_admin)
    r = office.post(f"/budget/office/cycles/{cycle.slug}/advance/", {"to_phase": "vote"}, follow=True)
    assert r.status_code == 200
    cycle.refresh_from_db()
    assert cycle.phase == "vote"
    env = cycle.envelopes.get()
    codes = list(env.projects.values_list("code", flat=True))

    client.logout()
    client.force_login(make_user())
    r = client.post(f"/budget/envelopes/{env.pk}/vote/", {"project": codes[:1]})
    assert r.status_code == 302, r.content.decode()[:2000]  # cast, then redirected (post/redirect/get)
    assert abs((cycle.vote_opens - clock.now()).total_seconds()) < 60  # the vote opened now, not in two months
    page = client.get(r["Location"]).content.decode()
    assert 'id="receipt-tracker"' in page
    # a reload of the vote page shows the receipt again, it does not cast a second ballot
    assert 'id="ballot"' not in client.get(f"/budget/envelopes/{env.pk}/vote/").content.decode()


def test_the_office_shows_the_closing_time_before_the_move(client: Any, deliberating: Any, budget_admin: Any) -> None:
    cycle = deliberating(vote_in_days=-3, vote_days=20)
    page = _office(client, budget_admin).get("/budget/office/").content.decode()
    shown = timezone.localtime(cycle.vote_closes, SEOUL).strftime("%Y-%m-%dT%H:%M")
    assert f'name="vote_closes" value="{shown}"' in page


def test_the_pages_say_when_the_vote_closes_in_seoul_time(client: Any, deliberating: Any, budget_admin: Any) -> None:
    cycle = deliberating(vote_in_days=60, vote_days=15)
    services.cycle_advance(actor=budget_admin, cycle_id=cycle.pk, to_phase="vote")
    cycle.refresh_from_db()
    closes = timezone.localtime(cycle.vote_closes, SEOUL).strftime("%Y-%m-%d %H:%M")
    assert closes in client.get(f"/budget/{cycle.slug}/").content.decode()
    assert closes in client.get(f"/budget/envelopes/{cycle.envelopes.get().pk}/vote/").content.decode()
    assert closes in client.get("/budget/").content.decode()


def test_the_official_chooses_the_closing_time_and_a_bad_one_changes_nothing(
    client: Any, deliberating: Any, budget_admin: Any
) -> None:
    cycle = deliberating()
    office = _office(client, budget_admin)
    r = office.post(
        f"/budget/office/cycles/{cycle.slug}/advance/",
        {"to_phase": "vote", "vote_closes": "2020-01-01T18:00"},
        follow=True,
    )
    assert "at least a day" in r.content.decode() or "최소 하루" in r.content.decode()
    cycle.refresh_from_db()
    assert cycle.phase == "deliberation" and not cycle.envelopes.exclude(vote_id=None).exists()

    wanted = timezone.localtime(clock.now() + timedelta(days=10), SEOUL).replace(
        hour=18, minute=0, second=0, microsecond=0
    )
    r = office.post(
        f"/budget/office/cycles/{cycle.slug}/advance/",
        {"to_phase": "vote", "vote_closes": wanted.strftime("%Y-%m-%dT%H:%M")},
    )
    cycle.refresh_from_db()
    assert cycle.phase == "vote" and cycle.vote_closes == wanted  # read as Seoul time
    from smartseoul.voting.selectors import vote_get

    vote = vote_get(cycle.envelopes.get().vote_id)
    assert vote.closes_at == wanted and vote.opens_at <= clock.now()


def test_the_default_close_is_the_schedule_or_two_weeks(deliberating: Any, budget_admin: Any) -> None:
    on_plan = deliberating(vote_in_days=-3, vote_days=20, slug="on-plan")  # scheduled end 17 days ahead
    assert selectors.default_vote_close(on_plan) == on_plan.vote_closes
    late = deliberating(vote_in_days=-30, vote_days=10, slug="late")  # the scheduled end has passed
    now = clock.now()
    assert abs((selectors.default_vote_close(late, now) - (now + timedelta(days=14))).total_seconds()) < 1
    services.cycle_advance(actor=budget_admin, cycle_id=late.pk, to_phase="vote")
    late.refresh_from_db()
    assert late.vote_closes > clock.now() + timedelta(days=13)
    with pytest.raises(BudgetInvalid):
        services.cycle_advance(
            actor=budget_admin, cycle_id=on_plan.pk, to_phase="vote", vote_closes=clock.now() + timedelta(days=200)
        )


def test_moving_out_of_the_vote_closes_it(client: Any, deliberating: Any, budget_admin: Any, make_user: Any) -> None:
    cycle = deliberating()
    services.cycle_advance(actor=budget_admin, cycle_id=cycle.pk, to_phase="vote")
    env = cycle.envelopes.get()
    voter = make_user()
    code = env.projects.values_list("code", flat=True).first()
    services.ballot_cast(user=voter, envelope_id=env.pk, project_codes=[code])
    services.cycle_advance(actor=budget_admin, cycle_id=cycle.pk, to_phase="allocation")
    cycle.refresh_from_db()
    env.refresh_from_db()
    from smartseoul.voting.selectors import vote_get

    assert vote_get(env.vote_id).status == "closed"
    assert cycle.vote_closes <= clock.now()
    assert env.runs.filter(is_current=True).get().voters == 1
