"""The /api/v1/democracy contract: public reads, session writes, stable error codes, nothing changed on refusal."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from conftest import sign_in
from smartseoul.democracy.models import Proposal, Support

from . import factories

BODY = {
    "title": "한강공원 일회용품 줄이기",
    "problem": "주말마다 한강공원에 배달 용기와 일회용품 쓰레기가 넘쳐납니다.",
    "solution": "배달존에 다회용기 반납함을 두고 반납하면 포인트를 줍시다.",
    "category": "environment",
    "district_code": None,
}


def client_for(user: Any, second_factor: bool = False) -> Client:
    return sign_in(Client(), user, second_factor=second_factor)


@pytest.mark.django_db
def test_create_read_list(author: Any) -> None:
    c = client_for(author)
    r = c.post("/api/v1/democracy/proposals", BODY, content_type="application/json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["stage"] == "deliberation" and body["department_code"] == "seoul-environment"
    assert body["author"] == author.public_name() and author.username not in r.content.decode()
    listing = Client().get("/api/v1/democracy/proposals?category=environment").json()
    assert listing["count"] == 1 and listing["items"][0]["id"] == body["id"]
    detail = Client().get(f"/api/v1/democracy/proposals/{body['id']}").json()
    assert detail["timeline"][0]["to_stage"] == "deliberation"
    assert detail["next_threshold"] == {"kind": "supporters", "target": 50, "have": 0}


@pytest.mark.django_db
def test_writes_need_a_session(city: Any) -> None:
    r = Client().post("/api/v1/democracy/proposals", BODY, content_type="application/json")
    assert r.status_code == 401
    assert Proposal.objects.count() == 0


@pytest.mark.django_db
def test_bad_input_is_400_with_a_code(author: Any) -> None:
    r = client_for(author).post(
        "/api/v1/democracy/proposals", {**BODY, "category": "nope"}, content_type="application/json"
    )
    assert r.status_code == 400 and r.json()["error"]["code"] == "bad_category"
    r = client_for(author).post("/api/v1/democracy/proposals", {"title": "x"}, content_type="application/json")
    assert r.status_code == 422
    assert Proposal.objects.count() == 0


@pytest.mark.django_db
def test_support_twice_is_409_and_unverified_is_403(open_proposal: Any, make_user: Any) -> None:
    supporter = factories.citizens(1)[0]
    c = client_for(supporter)
    url = f"/api/v1/democracy/proposals/{open_proposal.pk}/support"
    assert c.post(url).json() == {
        "id": open_proposal.pk,
        "stage": "deliberation",
        "support_count": 1,
        "supported": True,
    }
    r = c.post(url)
    assert r.status_code == 409 and r.json()["error"]["code"] == "already_supported"
    r = client_for(make_user("nobody", verification=0)).post(url)
    assert r.status_code == 403 and r.json()["error"]["code"] == "verification_required"
    assert Support.objects.count() == 1
    assert c.delete(url).json()["support_count"] == 0


@pytest.mark.django_db
def test_official_answer_needs_second_factor(open_proposal: Any, welfare_official: Any) -> None:
    factories.support_by(open_proposal, factories.citizens(50))
    url = f"/api/v1/democracy/proposals/{open_proposal.pk}/answers"
    body = {"body": "검토하여 내년 예산에 반영하겠습니다."}
    r = client_for(welfare_official).post(url, body, content_type="application/json")
    assert r.status_code == 403 and r.json()["error"]["code"] == "second_factor_required"
    r = client_for(welfare_official, second_factor=True).post(url, body, content_type="application/json")
    assert r.status_code == 201 and r.json()["kind"] == "department" and not r.json()["late"]
    tracking = Client().get("/api/v1/democracy/answers/tracking").json()
    assert tracking[0]["department_code"] == "11110-welfare" and tracking[0]["answered"] == 1


@pytest.mark.django_db
def test_config_read_public_write_admin(city_admin: Any, author: Any) -> None:
    assert Client().get("/api/v1/democracy/config").json()["department_threshold"] == 50
    r = client_for(author).patch(
        "/api/v1/democracy/config", {"department_threshold": 5}, content_type="application/json"
    )
    assert r.status_code == 403
    r = client_for(city_admin, second_factor=True).patch(
        "/api/v1/democracy/config", {"department_threshold": 60}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["department_threshold"] == 60


@pytest.mark.django_db
def test_comments_and_reports(open_proposal: Any) -> None:
    a, b = factories.citizens(2)
    r = client_for(a).post(
        f"/api/v1/democracy/proposals/{open_proposal.pk}/comments", {"body": "좋아요"}, content_type="application/json"
    )
    assert r.status_code == 201
    cid = r.json()["id"]
    client_for(b).post(
        f"/api/v1/democracy/proposals/{open_proposal.pk}/comments",
        {"body": "저도요", "parent_id": cid},
        content_type="application/json",
    )
    thread = Client().get(f"/api/v1/democracy/proposals/{open_proposal.pk}/comments").json()
    assert [c["parent_id"] for c in thread] == [None, cid]
    r = client_for(b).post(
        "/api/v1/democracy/reports",
        {"target_kind": "comment", "target_id": cid, "reason": "spam"},
        content_type="application/json",
    )
    assert r.status_code == 201
    r = client_for(b).post(
        "/api/v1/democracy/reports",
        {"target_kind": "comment", "target_id": cid, "reason": "spam"},
        content_type="application/json",
    )
    assert r.status_code == 409
    assert client_for(a).get("/api/v1/democracy/moderation").status_code == 403


@pytest.mark.django_db
def test_unknown_proposal_is_404(city: Any) -> None:
    r = Client().get("/api/v1/democracy/proposals/999")
    assert r.status_code == 404 and r.json()["error"]["code"] == "proposal_not_found"
