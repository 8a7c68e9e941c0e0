"""Journey 5 of issue 16: a citizen's Democracy Seoul proposal climbs the support ladder and the
responsible department answers it, as people do it.

A newcomer signs up (the phone code read from the development outbox page) and writes a proposal
on the page — a city-wide proposal on a topic no department owns, so the Citizen Communication
Division (the demo `planner`) answers for it. Fifty supporters are citizens of the city: a fixture
adds them through the Democracy Seoul services on the served site, as fifty people would through
the support button. The proposal reaches the department's desk with a due date; the `planner`
signs in for the first time (authenticator set up from the key the page shows), finds it on the
office page and answers it there. The citizen sees the answer on the proposal, with its date, and
the news in the inbox. Every page is checked for console errors, failed requests, raw codes and
untranslated text.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from . import steps
from .conftest import DemoSite

pytestmark = [pytest.mark.browser, pytest.mark.journey, pytest.mark.xdist_group("journeys")]

# A fresh demo server refreshes every open-data export when it starts; on SQLite a write waits for
# that refresh, which on a busy 2-core machine can take longer than the default 20 s.
SLOW = 60_000
ANSWER = "제안 감사합니다. 다음 달부터 구청 민원실에 수어 통역 화상 상담을 시범 운영하겠습니다."

SUPPORTERS = """
from smartseoul.accounts.models import Role, User, Verification
from smartseoul.democracy import services

for i in range(50):
    user = User(username=f"{prefix}-{{i:02d}}", role=Role.CITIZEN, verification=Verification.PHONE)
    user.set_unusable_password()
    user.save()
    services.support_add(proposal_id={pid}, user=user)
"""


def _phone(username: str) -> str:
    digits = re.sub(r"\D", "", username)[-8:].rjust(8, "5")
    return f"010-{digits[:4]}-{digits[4:]}"


def _propose(page: Page, title: str) -> int:
    page.goto("/democracy/")
    steps.check_language(page)
    page.locator("a[href='/democracy/new/']").first.click()
    page.wait_for_url("**/democracy/new/")
    steps.check_language(page)
    page.fill("#id_title", title)
    page.fill("#id_problem", "청각장애인은 구청 민원실에서 상담을 받으려면 통역사를 따로 구해야 합니다.")
    page.fill("#id_solution", "민원실에 화상 수어 통역 상담 창구를 만들어 누구나 바로 상담받게 합시다.")
    page.select_option("#id_category", "proposal")  # 기타: no department owns the topic
    page.select_option("#id_district", "city")
    page.click("#proposal-submit")
    page.wait_for_url(re.compile(r"/democracy/p/\d+/$"))
    expect(page.locator("h1")).to_have_text(title)
    expect(page.locator("#support-count")).to_have_text("0")
    steps.check_language(page)
    return int(page.url.rstrip("/").rsplit("/", 1)[-1])


def _answer(office: Page, title: str) -> None:
    office.goto("/democracy/office/")
    steps.check_language(office)
    queue = office.locator("section[aria-labelledby='q-department']")
    queue.locator("a", has_text=title).click()
    office.wait_for_url(re.compile(r"/democracy/office/p/\d+/$"))
    steps.check_language(office)
    office.fill("#id_body", ANSWER)
    office.click("#answer-submit")
    office.wait_for_load_state()
    expect(office.locator(".msg.error")).to_have_count(0)
    steps.check_language(office)
    steps.look(office, "democracy-office-answered")


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_proposal_gathers_fifty_supporters_and_the_department_answers(
    size: str, demo_site: DemoSite, open_page: Callable[..., Page], unique: Callable[[str], str]
) -> None:
    citizen = open_page(size)
    citizen.set_default_timeout(SLOW)
    username = unique("jiwoo")
    steps.sign_up(citizen, username, _phone(username))
    title = f"구청 민원실 수어 통역 화상 상담 ({username})"
    pid = _propose(citizen, title)

    # fifty citizens support it (through the services, as the support button would)
    demo_site.shell(SUPPORTERS.format(prefix=f"{username}-fan", pid=pid))
    citizen.reload()
    expect(citizen.locator("#support-count")).to_have_text("50")
    expect(citizen.locator("main")).to_contain_text("부서 답변 대기")
    steps.check_language(citizen)

    office = open_page(size)
    office.set_default_timeout(SLOW)
    steps.official_sign_in(office, "planner")
    _answer(office, title)

    citizen.goto(f"/democracy/p/{pid}/")
    steps.check_language(citizen)
    answer = citizen.locator("main").get_by_text(ANSWER)
    expect(answer).to_be_visible()
    expect(citizen.locator("main")).to_contain_text("부서 답변 완료")
    expect(citizen.locator("main")).to_contain_text(re.compile(r"답변 완료 \d{4}-\d{2}-\d{2}"))
    steps.look(citizen, "democracy-answered")

    # the news came to the citizen's inbox, linking to the proposal
    citizen.click("a.inbox-link")
    citizen.wait_for_url("**/inbox/")
    steps.check_language(citizen)
    expect(citizen.locator(f"main a[href*='/democracy/p/{pid}/']").first).to_be_visible()
