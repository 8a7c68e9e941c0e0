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
