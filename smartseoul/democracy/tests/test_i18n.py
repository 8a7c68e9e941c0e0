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
