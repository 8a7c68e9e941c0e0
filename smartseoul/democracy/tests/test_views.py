"""The HTML pages: citizens propose and support, officials answer behind their second factor."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from conftest import sign_in
from smartseoul.accounts.models import Verification
from smartseoul.core.models import AuditEvent
from smartseoul.democracy import services
from smartseoul.democracy.models import OfficialAnswer, Proposal, Stage, Support

from . import factories


def signed_in(user: Any, second_factor: bool = False) -> Client:
    return sign_in(Client(), user, second_factor=second_factor)


FORM = {
    "title": "버스정류장 온열의자 확대",
    "problem": "겨울철 새벽 버스를 기다리는 어르신들이 추위에 노출됩니다.",
    "solution": "모든 정류장에 온열의자와 바람막이를 단계적으로 설치합시다.",
    "category": "traffic",
    "district": "city",
}


@pytest.mark.django_db
def test_citizen_proposes_through_the_form(author: Any) -> None:
    c = signed_in(author)
    assert c.get("/democracy/new/").status_code == 200
    r = c.post("/democracy/new/", FORM)
    assert r.status_code == 302
    p = Proposal.objects.get()
    assert r["Location"] == f"/democracy/p/{p.pk}/"
    assert p.district is None and p.department.code == "seoul-transport"
    page = c.get(r["Location"])
    assert page.status_code == 200
    assert FORM["title"] in page.content.decode()


@pytest.mark.django_db
def test_bad_form_input_stores_nothing(author: Any) -> None:
    c = signed_in(author)
    r = c.post("/democracy/new/", {**FORM, "title": "x"})
    assert r.status_code == 200
    assert Proposal.objects.count() == 0


@pytest.mark.django_db
def test_unverified_citizen_cannot_propose(make_user: Any, city: Any) -> None:
    c = signed_in(make_user("fresh", verification=Verification.UNVERIFIED))
    r = c.post("/democracy/new/", FORM)
    assert r.status_code == 200 and 'id="error-summary"' in r.content.decode()  # the form's errors, listed first
    assert Proposal.objects.count() == 0


@pytest.mark.django_db
def test_support_with_htmx_and_refusal_of_a_second_support(open_proposal: Any) -> None:
    supporter = factories.citizens(1)[0]
    c = signed_in(supporter)
    url = f"/democracy/p/{open_proposal.pk}/support/"
    r = c.post(url, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and 'id="unsupport"' in r.content.decode()
    r = c.post(url, HTTP_HX_REQUEST="true")  # a stale page posting "support" again
    assert r.status_code == 200 and 'role="alert"' in r.content.decode()
    assert Support.objects.filter(proposal=open_proposal).count() == 1
    r = c.post(url, {"action": "withdraw"}, HTTP_HX_REQUEST="true")
    assert 'id="support"' in r.content.decode()
    assert Proposal.objects.get(pk=open_proposal.pk).support_count == 0


@pytest.mark.django_db
def test_non_htmx_second_support_is_a_409_page(open_proposal: Any) -> None:
    supporter = factories.citizens(1)[0]
    services.support_add(proposal_id=open_proposal.pk, user=supporter)
    r = signed_in(supporter).post(f"/democracy/p/{open_proposal.pk}/support/")
    assert r.status_code == 409


@pytest.mark.django_db
def test_official_answers_only_after_second_factor(open_proposal: Any, welfare_official: Any) -> None:
    p = factories.support_by(open_proposal, factories.citizens(50))
    url = f"/democracy/office/p/{p.pk}/"
    r = signed_in(welfare_official).get(url)
    assert r.status_code == 302 and r["Location"].startswith("/accounts/second-factor/")
    c = signed_in(welfare_official, second_factor=True)
    assert c.get(url).status_code == 200
    r = c.post(url, {"action": "answer", "body": "검토하여 내년 예산에 반영하겠습니다."})
    assert r.status_code == 302
    assert OfficialAnswer.objects.filter(proposal=p, kind="department").exists()
    assert AuditEvent.objects.filter(action="democracy.answer_department").exists()
    page = Client().get(f"/democracy/p/{p.pk}/").content.decode()
    assert "검토하여 내년 예산에 반영하겠습니다." in page


@pytest.mark.django_db
def test_citizen_cannot_open_the_office(author: Any) -> None:
    assert signed_in(author).get("/democracy/office/").status_code == 403


@pytest.mark.django_db
def test_public_pages_render(open_proposal: Any, welfare_official: Any) -> None:
    factories.support_by(open_proposal, factories.citizens(50))
    c = Client()
    for url in (
        "/democracy/",
        "/democracy/?stage=open&order=support",
        "/democracy/answers/",
        "/democracy/inquiries/",
        f"/democracy/p/{open_proposal.pk}/",
    ):
        assert c.get(url).status_code == 200, url
    page = c.get("/democracy/answers/").content.decode()
    assert 'data-department="11110-welfare"' in page
    htmx = c.get("/democracy/?category=welfare", HTTP_HX_REQUEST="true").content.decode()
    assert open_proposal.title in htmx and "<html" not in htmx


@pytest.mark.django_db
def test_comments_are_threaded(open_proposal: Any) -> None:
    a, b = factories.citizens(2)
    signed_in(a).post(f"/democracy/p/{open_proposal.pk}/comment/", {"body": "좋은 제안입니다."})
    parent = open_proposal.comments.get()
    signed_in(b).post(f"/democracy/p/{open_proposal.pk}/comment/", {"body": "동의합니다.", "parent": parent.pk})
    reply = open_proposal.comments.exclude(pk=parent.pk).get()
    assert reply.parent_id == parent.pk
    page = Client().get(f"/democracy/p/{open_proposal.pk}/").content.decode()
    assert page.index("좋은 제안입니다.") < page.index("동의합니다.")
    assert 'class="thread"' in page


@pytest.mark.django_db
def test_moderation_pages(open_proposal: Any, moderator: Any) -> None:
    reporters = factories.citizens(3)
    for r in reporters:
        signed_in(r).post(f"/democracy/report/proposal/{open_proposal.pk}/", {"reason": "spam"})
    assert Proposal.objects.get(pk=open_proposal.pk).hidden
    assert Client().get(f"/democracy/p/{open_proposal.pk}/").status_code == 404
    c = signed_in(moderator, second_factor=True)
    page = c.get("/democracy/office/moderation/").content.decode()
    assert f'id="mod-proposal-{open_proposal.pk}"' in page
    c.post(
        "/democracy/office/moderation/",
        {"kind": "proposal", "id": open_proposal.pk, "decision": "dismiss", "note": "광고 아님"},
    )
    assert not Proposal.objects.get(pk=open_proposal.pk).hidden
    assert AuditEvent.objects.filter(action="democracy.moderation_decision", actor=moderator).exists()


@pytest.mark.django_db
def test_settings_page_for_city_admins(city_admin: Any, welfare_official: Any) -> None:
    c = signed_in(city_admin, second_factor=True)
    assert c.get("/democracy/office/settings/").status_code == 200
    data = {
        "support_window_days": 30,
        "department_threshold": 40,
        "forum_threshold": 100,
        "mayor_threshold": 1000,
        "forum_days": 30,
        "department_answer_days": 14,
        "selection_days": 30,
        "decision_answer_days": 30,
        "reminder_days_before": 3,
        "reports_to_hide": 3,
    }
    assert c.post("/democracy/office/settings/", data).status_code == 302
    from smartseoul.democracy.selectors import ladder_config

    assert ladder_config().department_threshold == 40
    bad = c.post("/democracy/office/settings/", {**data, "forum_threshold": 10})
    assert bad.status_code == 200 and ladder_config().forum_threshold == 100
    assert signed_in(welfare_official, second_factor=True).get("/democracy/office/settings/").status_code == 403


@pytest.mark.django_db
def test_stage_label_on_the_page(open_proposal: Any) -> None:
    page = Client().get(f"/democracy/p/{open_proposal.pk}/").content.decode()
    assert f'data-stage="{Stage.DELIBERATION}"' in page


@pytest.mark.django_db
def test_the_ladder_shows_a_final_answer_by_the_department_not_the_mayor(city: Any) -> None:
    """A forum below 1,000 participants ends with the department's final answer: the page must not
    tick "1,000 participants: the mayor answers" (issue 16, pages looked at as a person)."""
    import re

    from smartseoul.accounts.demo import load_demo_accounts
    from smartseoul.democracy.demo import ADOPTED, load_demo

    load_demo_accounts()
    load_demo()
    p = Proposal.objects.get(title=ADOPTED[0])
    html = Client().get(f"/democracy/p/{p.pk}/").content.decode()
    ladder = re.search(r'<ol class="ladder".*?</ol>', html, re.S)
    assert ladder is not None
    items = re.findall(r"<li.*?</li>", ladder.group(0), re.S)
    rungs = [re.sub(r"<[^>]+>", "", li).strip() for li in items]
    assert rungs[-1] == "참여 1000명 미만: 부서 최종 답변"
    assert items[-1].startswith('<li class="done"') and "icons.svg#check" in items[-1]  # ticked, by the sprite's icon
    assert not any("시장 답변" in r for r in rungs)


@pytest.mark.django_db
def test_transfer_chooses_a_department_by_name(open_proposal: Any, welfare_official: Any) -> None:
    """The transfer form lists departments by name (no code to type, none chosen in advance)."""
    import re

    p = factories.support_by(open_proposal, factories.citizens(50))
    c = signed_in(welfare_official, second_factor=True)
    html = c.get(f"/democracy/office/p/{p.pk}/").content.decode()
    select = re.search(r'<select name="department"[^>]*>(.*?)</select>', html, re.S)
    assert select is not None and 'name="department" type="text"' not in html
    options = re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', select.group(1))
    assert options[0][0] == "" and not any(sel for value, sel, _n in options if value)
    assert ("seoul-welfare", "", "복지정책과") in options
    r = c.post(
        f"/democracy/office/p/{p.pk}/",
        {"action": "reassign", "department": "seoul-welfare", "reason": "시 전체 정책이라 시 부서가 답합니다."},
    )
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.department is not None and p.department.code == "seoul-welfare"
