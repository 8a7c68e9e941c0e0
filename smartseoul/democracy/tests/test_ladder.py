"""The support ladder driven end to end with the platform clock under test control."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from smartseoul.accounts.models import Verification
from smartseoul.core import clock
from smartseoul.core.errors import DomainError
from smartseoul.core.models import AuditEvent, Notification
from smartseoul.democracy import selectors, services
from smartseoul.democracy.models import OfficialAnswer, Proposal, Stage, Support

from . import factories

SEOUL = ZoneInfo("Asia/Seoul")
START = datetime(2026, 3, 2, 10, 0, tzinfo=SEOUL)
DAY = 86400


def kinds(user: Any) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user, channel="inbox").order_by("id").values_list("kind", flat=True)
    )


def stages(p: Proposal) -> list[str]:
    return list(p.stage_events.order_by("at", "id").values_list("to_stage", flat=True))


@pytest.mark.django_db
def test_every_stage_with_seoul_defaults(author: Any, welfare_official: Any, selector_member: Any, mayor: Any) -> None:
    clock.freeze(START)
    p = factories.proposal(author)
    assert p.stage == Stage.DELIBERATION
    assert p.support_deadline == START + timedelta(days=30)
    assert p.department.code == "11110-welfare"  # routed by category and district

    supporters = factories.citizens(100)
    p = factories.support_by(p, supporters[:49])
    assert (p.stage, p.support_count) == (Stage.DELIBERATION, 49)
    p = factories.support_by(p, supporters[49:50])
    assert (p.stage, p.support_count) == (Stage.DEPARTMENT_ANSWER_DUE, 50)
    assert p.answer_due_at == START + timedelta(days=30)
    assert "democracy.answer_requested" in kinds(welfare_official)
    assert "democracy.stage.department_answer_due" in kinds(author)

    # A second support by the same person does not count.
    with pytest.raises(DomainError) as exc:
        services.support_add(proposal_id=p.pk, user=supporters[0])
    assert exc.value.code == "already_supported"
    assert Proposal.objects.get(pk=p.pk).support_count == 50
    assert Support.objects.filter(proposal=p).count() == 50

    p = factories.support_by(p, supporters[50:100])
    assert (p.stage, p.support_count) == (Stage.DEPARTMENT_ANSWER_DUE, 100)

    # Three days before the due date the department is reminded, once.
    clock.advance(27 * DAY + 60)
    assert services.ladder_tick()["reminders"] == 1
    assert services.ladder_tick()["reminders"] == 0
    assert kinds(welfare_official).count("democracy.reminder.due.department") == 1

    # The support window ends while the answer is still owed: nothing expires, the answer turns overdue.
    clock.advance(3 * DAY)
    counts = services.ladder_tick()
    assert counts["expired"] == 0 and counts["reminders"] == 1
    p.refresh_from_db()
    assert p.stage == Stage.DEPARTMENT_ANSWER_DUE
    assert kinds(welfare_official).count("democracy.reminder.overdue.department") == 1
    assert AuditEvent.objects.filter(action="democracy.answer_overdue", target_id=str(p.pk)).count() == 1
    tracking = {r["department_code"]: r for r in selectors.answer_tracking()}
    assert tracking["11110-welfare"]["overdue"] == 1
    # support is closed now
    late = factories.citizens(1, prefix="late")[0]
    with pytest.raises(DomainError) as exc:
        services.support_add(proposal_id=p.pk, user=late)
    assert exc.value.code == "proposal_closed"
    clock.advance(DAY)
    services.ladder_tick()
    assert kinds(welfare_official).count("democracy.reminder.overdue.department") == 2  # daily while overdue

    # The department answers (late): with 100 supporters the proposal goes to forum selection.
    answer = services.answer_create(
        proposal_id=p.pk, actor=welfare_official, body="냉방비 지원 기준을 검토하여 내년 예산에 반영하겠습니다."
    )
    assert answer.late
    p.refresh_from_db()
    assert p.stage == Stage.FORUM_SELECTION
    assert "democracy.selection_requested" in kinds(selector_member)
    assert AuditEvent.objects.filter(action="democracy.answer_department", actor=welfare_official).exists()
    tracking = {r["department_code"]: r for r in selectors.answer_tracking()}
    assert (tracking["11110-welfare"]["overdue"], tracking["11110-welfare"]["late"]) == (0, 1)

    services.forum_open(proposal_id=p.pk, actor=selector_member, note="시민 의견을 듣겠습니다.")
    p.refresh_from_db()
    assert p.stage == Stage.FORUM
    forum_close = p.forum_closes_at
    assert forum_close == clock.now() + timedelta(days=30)

    participants = factories.citizens(1000, prefix="forum")
    for i, u in enumerate(participants):
        services.opinion_set(proposal_id=p.pk, user=u, stance="pro" if i % 3 else "con")
    # changing one's opinion does not add a participant
    services.opinion_set(proposal_id=p.pk, user=participants[0], stance="pro", body="생각이 바뀌었습니다.")
    p.refresh_from_db()
    assert (p.forum_participants, p.forum_pro + p.forum_con) == (1000, 1000)
    assert p.forum_con == 333

    clock.advance(29 * DAY)
    assert services.ladder_tick()["forums_closed"] == 0
    clock.advance(DAY)
    assert services.ladder_tick()["forums_closed"] == 1
    p.refresh_from_db()
    assert p.stage == Stage.MAYOR_ANSWER_DUE
    assert "democracy.mayor_answer_requested" in kinds(mayor)
    late_participant = factories.citizens(1, prefix="lp")[0]
    with pytest.raises(DomainError):
        services.opinion_set(proposal_id=p.pk, user=late_participant, stance="pro")

    # The department cannot give the mayor's answer; the mayor's office can.
    with pytest.raises(DomainError) as exc:
        services.answer_create(
            proposal_id=p.pk, actor=welfare_official, body="시장 답변을 대신합니다.", outcome="adopted"
        )
    assert exc.value.code == "not_responsible"
    with pytest.raises(DomainError) as exc:
        services.answer_create(proposal_id=p.pk, actor=mayor, body="이유 없는 답변입니다.", outcome="")
    assert exc.value.code == "bad_outcome"
    services.answer_create(
        proposal_id=p.pk,
        actor=mayor,
        outcome="adopted",
        body="폭염 기간 경로당 냉방비를 전액 지원하겠습니다. 내년 예산에 반영합니다.",
    )
    p.refresh_from_db()
    assert p.stage == Stage.ADOPTED and p.closed_at == clock.now()
    assert [a.kind for a in OfficialAnswer.objects.filter(proposal=p).order_by("id")] == ["department", "mayor"]

    adopted = selectors.adopted_proposals()
    assert adopted == [
        {
            "id": p.pk,
            "title": p.title,
            "category": "welfare",
            "district_code": "11110",
            "url": f"/democracy/p/{p.pk}/",
            "stage": "adopted",
            "decided_at": p.closed_at,
            "budget_reference": "",
        }
    ]
    services.proposal_link_budget(proposal_id=p.pk, budget_reference="budget:2027:p17", actor=welfare_official)
    services.proposal_link_budget(proposal_id=p.pk, budget_reference="budget:2027:p17", actor=welfare_official)
    with pytest.raises(DomainError):
        services.proposal_link_budget(proposal_id=p.pk, budget_reference="budget:2027:p99", actor=welfare_official)
    assert selectors.adopted_proposals()[0]["budget_reference"] == "budget:2027:p17"

    assert stages(p) == [
        Stage.DELIBERATION,
        Stage.DEPARTMENT_ANSWER_DUE,
        Stage.FORUM_SELECTION,
        Stage.FORUM,
        Stage.MAYOR_ANSWER_DUE,
        Stage.ADOPTED,
        Stage.ADOPTED,
    ]
    author_kinds = kinds(author)
    for stage in ("department_answer_due", "forum_selection", "forum", "mayor_answer_due", "adopted"):
        assert f"democracy.stage.{stage}" in author_kinds
    # every supporter follows and heard of the adoption
    assert "democracy.stage.adopted" in kinds(supporters[0])
    assert "democracy.stage.adopted" in kinds(participants[500])
    # the author also gets stage changes by SMS
    assert Notification.objects.filter(recipient=author, channel="sms", kind="democracy.stage.adopted").exists()


@pytest.mark.django_db
def test_expired_proposal_closes_with_final_counts(author: Any) -> None:
    clock.freeze(START)
    p = factories.proposal(author)
    supporters = factories.citizens(12)
    p = factories.support_by(p, supporters)
    services.support_withdraw(proposal_id=p.pk, user=supporters[0])
    clock.advance(30 * DAY - 60)
    assert services.ladder_tick()["expired"] == 0
    clock.advance(60)
    assert services.ladder_tick()["expired"] == 1
    assert services.ladder_tick()["expired"] == 0
    p.refresh_from_db()
    assert (p.stage, p.support_count, p.closed_at) == (Stage.EXPIRED, 11, clock.now())
    assert p.stage_events.last().support_count == 11
    assert "democracy.stage.expired" in kinds(author)
    with pytest.raises(DomainError) as exc:
        services.support_add(proposal_id=p.pk, user=factories.citizens(1)[0])
    assert exc.value.code == "proposal_closed"
    with pytest.raises(DomainError) as exc:
        services.support_withdraw(proposal_id=p.pk, user=supporters[1])
    assert exc.value.code == "proposal_closed"
    assert Proposal.objects.get(pk=p.pk).support_count == 11


@pytest.mark.django_db
def test_unverified_user_cannot_support(author: Any, make_user: Any, open_proposal: Any) -> None:
    unverified = make_user("newcomer", verification=Verification.UNVERIFIED)
    with pytest.raises(DomainError) as exc:
        services.support_add(proposal_id=open_proposal.pk, user=unverified)
    assert exc.value.code == "verification_required" and exc.value.status == 403
    assert Support.objects.count() == 0
    assert Proposal.objects.get(pk=open_proposal.pk).support_count == 0


@pytest.mark.django_db
def test_real_name_required_when_the_city_says_so(author: Any, city_admin: Any, open_proposal: Any) -> None:
    services.ladder_config_update(actor=city_admin, require_real_name=True)
    phone_only = factories.citizens(1)[0]
    with pytest.raises(DomainError) as exc:
        services.support_add(proposal_id=open_proposal.pk, user=phone_only)
    assert exc.value.code == "verification_required"
    real = factories.citizens(1, verification=Verification.REAL_NAME)[0]
    assert services.support_add(proposal_id=open_proposal.pk, user=real).support_count == 1


@pytest.mark.django_db
def test_author_cannot_support_own_proposal(author: Any, open_proposal: Any) -> None:
    with pytest.raises(DomainError) as exc:
        services.support_add(proposal_id=open_proposal.pk, user=author)
    assert exc.value.code == "own_proposal"


@pytest.mark.django_db
def test_thresholds_and_windows_come_from_the_city_config(
    author: Any, welfare_official: Any, selector_member: Any, city_admin: Any
) -> None:
    clock.freeze(START)
    services.ladder_config_update(
        actor=city_admin,
        department_threshold=2,
        forum_threshold=3,
        mayor_threshold=5,
        support_window_days=10,
        forum_days=7,
        department_answer_days=5,
    )
    p = factories.proposal(author)
    assert p.support_deadline == START + timedelta(days=10)
    people = factories.citizens(4)
    p = factories.support_by(p, people[:2])
    assert p.stage == Stage.DEPARTMENT_ANSWER_DUE and p.answer_due_at == START + timedelta(days=5)
    # answered inside the window: support stays open until the deadline
    services.answer_create(proposal_id=p.pk, actor=welfare_official, body="검토 중이며 곧 결과를 알려드리겠습니다.")
    p.refresh_from_db()
    assert p.stage == Stage.DEPARTMENT_ANSWERED
    p = factories.support_by(p, people[2:3])
    assert p.support_count == 3
    clock.advance(10 * DAY)
    assert services.ladder_tick()["window_closed"] == 1
    p.refresh_from_db()
    assert p.stage == Stage.FORUM_SELECTION
    services.forum_open(proposal_id=p.pk, actor=selector_member)
    for u in people[:4]:
        services.opinion_set(proposal_id=p.pk, user=u, stance="con")
    clock.advance(7 * DAY)
    services.ladder_tick()
    p.refresh_from_db()
    # below the mayor threshold the department gives the final answer
    assert p.stage == Stage.DECISION_DUE and p.forum_participants == 4
    with pytest.raises(DomainError) as exc:
        services.answer_create(proposal_id=p.pk, actor=welfare_official, body="결과를 알려드립니다.", outcome="maybe")
    assert exc.value.code == "bad_outcome"
    services.answer_create(
        proposal_id=p.pk,
        actor=welfare_official,
        outcome="not_adopted",
        body="공론장 의견에 반대가 많아 채택하지 않습니다.",
    )
    p.refresh_from_db()
    assert p.stage == Stage.NOT_ADOPTED
    with pytest.raises(DomainError) as exc:
        services.proposal_link_budget(proposal_id=p.pk, budget_reference="x", actor=welfare_official)
    assert exc.value.code == "wrong_stage"


@pytest.mark.django_db
def test_below_forum_threshold_closes_after_the_answer(author: Any, welfare_official: Any) -> None:
    clock.freeze(START)
    p = factories.support_by(factories.proposal(author), factories.citizens(60))
    clock.advance(31 * DAY)
    services.answer_create(proposal_id=p.pk, actor=welfare_official, body="현재 예산으로 지원이 어렵습니다.")
    p.refresh_from_db()
    assert p.stage == Stage.CLOSED and p.support_count == 60


@pytest.mark.django_db
def test_selection_group_may_decline_with_reasons(author: Any, welfare_official: Any, selector_member: Any) -> None:
    clock.freeze(START)
    p = factories.support_by(factories.proposal(author), factories.citizens(100))
    clock.advance(31 * DAY)
    services.answer_create(proposal_id=p.pk, actor=welfare_official, body="검토 결과를 안내드립니다.")
    with pytest.raises(DomainError) as exc:
        services.forum_open(proposal_id=p.pk, actor=welfare_official)
    assert exc.value.code == "not_responsible"
    with pytest.raises(DomainError):
        services.forum_decline(proposal_id=p.pk, actor=selector_member, reason="")
    services.forum_decline(proposal_id=p.pk, actor=selector_member, reason="이미 유사한 공론장이 진행 중입니다.")
    p.refresh_from_db()
    assert p.stage == Stage.CLOSED and "유사한" in p.selection_note
    assert AuditEvent.objects.filter(action="democracy.forum_decline", actor=selector_member).exists()


@pytest.mark.django_db
def test_selection_reminders_when_the_group_does_not_decide(
    author: Any, welfare_official: Any, selector_member: Any
) -> None:
    clock.freeze(START)
    p = factories.support_by(factories.proposal(author), factories.citizens(100))
    clock.advance(31 * DAY)
    services.answer_create(proposal_id=p.pk, actor=welfare_official, body="검토 결과를 안내드립니다.")
    clock.advance(31 * DAY)
    services.ladder_tick()
    assert "democracy.reminder.overdue.selection" in kinds(selector_member)


@pytest.mark.django_db
def test_only_the_responsible_department_answers(author: Any, make_user: Any, official: Any) -> None:
    p = factories.support_by(factories.proposal(author), factories.citizens(50))
    with pytest.raises(DomainError) as exc:
        services.answer_create(proposal_id=p.pk, actor=official, body="다른 부서의 답변입니다.")  # parking team
    assert exc.value.code == "not_responsible"
    with pytest.raises(DomainError):
        services.answer_create(proposal_id=p.pk, actor=author, body="제가 답변합니다 제가요.")
    assert not OfficialAnswer.objects.exists()


@pytest.mark.django_db
def test_no_answer_in_deliberation(author: Any, welfare_official: Any, open_proposal: Any) -> None:
    with pytest.raises(DomainError) as exc:
        services.answer_create(
            proposal_id=open_proposal.pk, actor=welfare_official, body="아직 답변할 단계가 아닙니다."
        )
    assert exc.value.code == "wrong_stage" and exc.value.status == 409


@pytest.mark.django_db
def test_withdrawn_support_is_not_counted_and_thresholds_do_not_step_back(author: Any) -> None:
    p = factories.support_by(factories.proposal(author), people := factories.citizens(50))
    assert p.stage == Stage.DEPARTMENT_ANSWER_DUE
    p = services.support_withdraw(proposal_id=p.pk, user=people[0])
    assert (p.stage, p.support_count) == (Stage.DEPARTMENT_ANSWER_DUE, 49)
    with pytest.raises(DomainError) as exc:
        services.support_withdraw(proposal_id=p.pk, user=people[0])
    assert exc.value.code == "not_supported"
    p = services.support_add(proposal_id=p.pk, user=people[0])
    assert p.support_count == 50
