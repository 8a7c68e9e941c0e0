from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from smartseoul.democracy.models import Stage


def test_korean_stage_names() -> None:
    with translation.override("ko"):
        assert str(Stage.DEPARTMENT_ANSWER_DUE.label) == "부서 답변 대기"
    with translation.override("en"):
        assert str(Stage.DEPARTMENT_ANSWER_DUE.label) == "department answer due"


@pytest.mark.django_db
def test_pages_are_korean_by_default(open_proposal: Any) -> None:
    page = Client().get(f"/democracy/p/{open_proposal.pk}/").content.decode()
    assert "공감 모으는 중" in page and "공식 답변" in page


@pytest.mark.django_db
def test_timeline_notes_are_in_the_readers_language(open_proposal: Any) -> None:
    """A note written while Korean was active reads in English for an English reader and for an
    English-speaking follower (it was stored in the writer's language)."""
    from smartseoul.core.models import Notification
    from smartseoul.democracy import services

    from . import factories

    follower = factories.citizens(1, prefix="en")[0]
    follower.preferred_language = "en"
    follower.save(update_fields=["preferred_language"])
    services.follow_set(proposal_id=open_proposal.pk, user=follower, follow=True)
    with translation.override("ko"):
        factories.support_by(open_proposal, factories.citizens(50))
    korean = Client().get(f"/democracy/p/{open_proposal.pk}/").content.decode()
    assert "시민 50명이 공감했습니다" in korean
    english = Client().get(f"/democracy/p/{open_proposal.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "50 citizens support it; the department answers by" in english
    assert "시민 50명이 공감했습니다" not in english
    news = Notification.objects.filter(recipient=follower, kind="democracy.stage.department_answer_due").get()
    assert "50 citizens support it" in news.body and "공감했습니다" not in news.body
    timeline = Client().get(f"/api/v1/democracy/proposals/{open_proposal.pk}", HTTP_ACCEPT_LANGUAGE="en").json()
    assert any("50 citizens support it" in e["note"] for e in timeline["timeline"])


def _main_text(html: str) -> str:
    """The visible text of the page's main content (no markup, no scripts)."""
    import re

    main = html.split("<main", 1)[-1].split("</main>", 1)[0]
    main = re.sub(r"<(script|style)\b.*?</\1>", " ", main, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


@pytest.mark.django_db
def test_the_moderation_queue_names_kinds_and_reasons_in_the_readers_language(
    open_proposal: Any, moderator: Any
) -> None:
    """The queue showed the stored values ('proposal', 'spam') on Korean and English pages alike."""
    from conftest import sign_in

    from . import factories

    for r in factories.citizens(2):
        sign_in(Client(), r).post(f"/democracy/report/proposal/{open_proposal.pk}/", {"reason": "spam"})
    office = sign_in(Client(), moderator, second_factor=True)
    korean = _main_text(office.get("/democracy/office/moderation/").content.decode())
    assert "제안 · 신고 2건 · 스팸·광고" in korean
    assert "proposal" not in korean and "spam" not in korean and "reports" not in korean
    english = _main_text(office.get("/democracy/office/moderation/", HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert "proposal · 2 reports · spam or advertising" in english


@pytest.mark.django_db
def test_counts_on_the_office_proposal_page_are_whole_phrases(open_proposal: Any, welfare_official: Any) -> None:
    from conftest import sign_in

    from . import factories

    factories.support_by(open_proposal, factories.citizens(1))
    office = sign_in(Client(), welfare_official, second_factor=True)
    url = f"/democracy/office/p/{open_proposal.pk}/"
    english = _main_text(office.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert "1 supporter" in english and "forum participant" not in english  # no forum yet: no count of it
    korean = _main_text(office.get(f"/democracy/office/p/{open_proposal.pk}/").content.decode())
    assert "공감 1명" in korean and "supporters" not in korean


@pytest.mark.django_db
def test_an_empty_list_says_what_to_do_next(city: Any) -> None:
    korean = _main_text(Client().get("/democracy/?q=없는제안").content.decode())
    assert "조건에 맞는 제안이 없습니다" in korean and "직접 제안할 수도 있습니다" in korean
    english = _main_text(Client().get("/democracy/?q=nothing", HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert "No proposals match. Try fewer words" in english
    assert not any("\uac00" <= ch <= "\ud7a3" for ch in english.replace("민주주의 서울", ""))


@pytest.mark.django_db
def test_what_citizens_wrote_in_korean_is_marked_korean_on_an_english_page(open_proposal: Any) -> None:
    """A screen reader reads a Korean title in Korean, and the title is not taken for interface text."""
    english = Client().get(f"/democracy/p/{open_proposal.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'<h1 id="proposal-title"><span lang="ko">{open_proposal.title}</span></h1>' in english
    listing = Client().get("/democracy/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'<span lang="ko">{open_proposal.title}</span>' in listing


@pytest.mark.django_db
def test_the_site_search_finds_visible_proposals_only(open_proposal: Any) -> None:
    from smartseoul.democracy.selectors import site_search_hits

    word = open_proposal.title.split()[0]
    assert [h.url for h in site_search_hits(word, None, 5)] == [f"/democracy/p/{open_proposal.pk}/"]
    open_proposal.hidden = True
    open_proposal.save(update_fields=["hidden"])
    assert site_search_hits(word, None, 5) == []
