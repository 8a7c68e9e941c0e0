"""Democracy Seoul in Chromium: a citizen proposes on a phone, 50 neighbours support it, the
responsible department answers from the back office behind its second factor, and the citizen
reads the answer and the stage-change message in the inbox."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import totp_now

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANSWER = "경로당 냉방비 지원 기준을 검토하여 내년 예산에 반영하겠습니다."


def _sign_in(page: Any, username: str, next_path: str = "/") -> None:
    page.goto(f"/accounts/login/?next={next_path}")
    page.fill("#id_username", username)
    page.fill("#id_password", "correct-horse-battery")
    page.click("#login-submit")


def test_citizen_proposes_department_answers_citizen_sees_it(
    city: Any, make_user: Any, phone_page: Any, desktop_page: Any, artefacts_dir: Any
) -> None:
    from smartseoul.accounts.models import Role
    from smartseoul.accounts.services import totp_begin
    from smartseoul.democracy import services
    from smartseoul.democracy.models import Proposal, Stage
    from smartseoul.democracy.tests import factories

    make_user("minji", district="11110")
    official = make_user("welfare_team", role=Role.OFFICIAL, department="11110-welfare")
    totp_begin(user=official)
    official.totp_confirmed = True
    official.save(update_fields=["totp_confirmed"])

    # 1. The citizen proposes on her phone.
    page = phone_page
    _sign_in(page, "minji", "/democracy/new/")
    page.wait_for_url("**/democracy/new/")
    page.fill("#id_title", "경로당 냉방비 지원 확대")
    page.fill("#id_problem", "폭염 때 경로당 냉방비 부담으로 에어컨을 충분히 켜지 못합니다.")
    page.fill("#id_solution", "폭염 특보 기간에는 경로당 냉방비를 시가 전액 지원해 주세요.")
    page.select_option("#id_category", "welfare")
    page.select_option("#id_district", "11110")
    page.click("#proposal-submit")
    page.wait_for_url("**/democracy/p/*/")
    assert page.locator("#stage").get_attribute("data-stage") == "deliberation"
    proposal = Proposal.objects.get(title="경로당 냉방비 지원 확대")
    assert proposal.department.code == "11110-welfare"

    # 2. Fifty neighbours support it (fixtures): the department now owes an answer.
    for supporter in factories.citizens(50):
        services.support_add(proposal_id=proposal.pk, user=supporter)
    page.reload()
    assert page.locator("#support-count").inner_text() == "50"
    assert page.locator("#stage").get_attribute("data-stage") == "department_answer_due"
    assert page.locator("#answer-due").count() == 1

    # 3. The department official signs in with the second factor and answers.
    office = desktop_page
    target = f"/democracy/office/p/{proposal.pk}/"
    _sign_in(office, "welfare_team", target)
    office.wait_for_url("**/accounts/second-factor/**")
    office.fill("#id_code", totp_now(official))
    office.click("#totp-submit")
    office.wait_for_url(f"**{target}")
    office.fill("#id_body", ANSWER)
    office.click("#answer-submit")
    office.wait_for_url(f"**/democracy/p/{proposal.pk}/")
    proposal.refresh_from_db()
    assert proposal.stage == Stage.DEPARTMENT_ANSWERED

    # 4. The citizen sees the answer with its date, and the stage change in her inbox.
    page.reload()
    answer = page.locator('#answers article[data-kind="department"]')
    assert ANSWER in answer.inner_text()
    assert answer.locator("time").count() == 1
    assert page.locator("#stage").get_attribute("data-stage") == "department_answered"
    page.screenshot(path=str(artefacts_dir / "democracy-answered-phone.png"), full_page=True)

    page.click("a.inbox-link")
    page.wait_for_url("**/city/inbox/")
    messages = page.locator('article[data-kind="democracy.stage.department_answered"]')
    assert messages.count() == 1
    assert "경로당 냉방비 지원 확대" in messages.first.inner_text()
    assert page.locator('article[data-kind="democracy.stage.department_answer_due"]').count() == 1
    messages.first.locator("a").first.click()
    page.wait_for_url(f"**/democracy/p/{proposal.pk}/")
