"""The voting pages as people meet them: who may vote and why not (never an error page), the
next step for someone who can become eligible, the ballot cast with post/redirect/get, and
receipts that verify wherever they are reopened."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings

from smartseoul.accounts.models import Verification
from smartseoul.core import clock
from smartseoul.lib import merkle

from ..models import Ballot
from .factories import make_vote, option_ids

pytestmark = pytest.mark.django_db

JONGNO = {"type": "districts", "codes": ["11110"]}


def _english(client: Any) -> Any:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _row(page: str, vote_id: int) -> str:
    found = re.search(rf'<li class="card vote-row" data-vote="{vote_id}".*?</li>', page, re.S)
    assert found, f"vote {vote_id} is not listed"
    return found.group(0)


def test_a_district_vote_of_another_district_is_listed_as_not_for_you_with_its_reason(
    client: Any, owner: Any, make_user: Any
) -> None:
    """Defect 2: a Gangnam-gu resident opening /voting/ got 403 because of a Jongno-gu vote."""
    district_vote = make_vote(owner, title="종로구 골목길", target=JONGNO)
    everyone_vote = make_vote(owner, title="서울광장 스케이트장")
    client.force_login(make_user(district="11680", verification=Verification.RESIDENT))

    page = client.get("/voting/")
    assert page.status_code == 200
    row = _row(page.content.decode(), district_vote.pk)
    assert 'data-standing="not-for-you"' in row
    assert "참여 대상 아님" in row and "종로구 주민만 참여할 수 있어요." in row
    assert "11110" not in page.content.decode()
    assert 'data-standing="can-vote"' in _row(page.content.decode(), everyone_vote.pk)

    detail = client.get(f"/voting/{district_vote.pk}/")
    assert detail.status_code == 200
    text = detail.content.decode()
    assert 'id="not-eligible" data-code="wrong_district"' in text and "종로구 주민만 참여할 수 있어요." in text
    assert 'id="ballot-form"' not in text

    english = _english(client).get("/voting/").content.decode()
    assert "Only residents of Jongno-gu can take part." in _row(english, district_vote.pk)


def test_a_signed_in_unverified_citizen_sees_the_vote_and_a_call_to_verify_the_phone(
    client: Any, owner: Any, make_user: Any
) -> None:
    """Defect 6: an English 403 page instead of the vote and the way to vote."""
    vote = make_vote(owner)
    client.force_login(make_user(verification=Verification.UNVERIFIED))
    r = client.get(f"/voting/{vote.pk}/")
    assert r.status_code == 200
    text = r.content.decode()
    assert vote.title in text and 'id="ballot-form"' not in text
    assert f'href="/accounts/phone/?next=/voting/{vote.pk}/"' in text
    assert "휴대전화 인증하고 투표하기" in text and 'data-code="verification_required"' in text
    listed = _row(client.get("/voting/").content.decode(), vote.pk)
    assert 'data-standing="action"' in listed and f"/accounts/phone/?next=/voting/{vote.pk}/" in listed


def test_a_phone_verified_citizen_is_sent_to_resident_verification_for_a_district_vote(
    client: Any, owner: Any, make_user: Any
) -> None:
    vote = make_vote(owner, target=JONGNO)
    client.force_login(make_user(verification=Verification.PHONE))
    text = client.get(f"/voting/{vote.pk}/").content.decode()
    assert f'href="/accounts/resident/?next=/voting/{vote.pk}/"' in text
    assert "종로구 주민 인증을 한 분만 참여할 수 있어요." in text


def test_the_phone_page_keeps_where_the_citizen_was_going(client: Any, make_user: Any) -> None:
    client.force_login(make_user(verification=Verification.UNVERIFIED))
    r = client.post("/accounts/phone/?next=/voting/7/", {"phone": "010-2345-6789"})
    assert r.status_code == 302 and r.url == "/accounts/phone/?next=%2Fvoting%2F7%2F"


def test_who_may_vote_names_districts_not_codes(client: Any, owner: Any) -> None:
    vote = make_vote(owner, target={"type": "districts", "codes": ["11110", "11680"]})
    text = client.get(f"/voting/{vote.pk}/").content.decode()
    assert "종로구, 강남구 주민 인증을 한 분." in text and "11110" not in text
    assert 'data-status="open"' in text and ">진행 중<" in text


def test_casting_redirects_to_the_receipt_and_a_reload_sends_nothing(client: Any, owner: Any, make_user: Any) -> None:
    """Defect 11: the receipt was rendered by the POST, so reloading it cast again."""
    vote = make_vote(owner)
    ids = option_ids(vote)
    client.force_login(make_user())
    r = client.post(f"/voting/{vote.pk}/cast", {"choice": [str(ids[0])]})
    ballot = Ballot.objects.get(vote=vote)
    assert r.status_code == 302 and r.url == f"/voting/receipt/?tracker={ballot.tracker}"
    first = client.get(r.url).content.decode()
    assert 'id="cast-ok"' in first and ballot.tracker in first
    again = client.get(r.url).content.decode()  # the reload: the same receipt, no "just cast" banner, no ballot
    assert 'id="cast-ok"' not in again and ballot.tracker in again
    assert Ballot.objects.filter(vote=vote).count() == 1
    page = client.get(f"/voting/{vote.pk}/").content.decode()
    assert f'href="/voting/receipt/?tracker={ballot.tracker}" id="my-receipt"' in page


def _receipt_in_page(text: str) -> dict[str, Any]:
    found = re.search(r'<textarea id="receipt-json"[^>]*>(.*?)</textarea>', text, re.S)
    assert found and found.group(1).strip(), "the page holds no receipt"
    import html

    return json.loads(html.unescape(found.group(1)))


def _verifies(receipt: dict[str, Any]) -> None:
    """What the browser checks, in Python: leaf hash, signed checkpoint, inclusion proof."""
    from smartseoul.voting import ledger

    leaf_hash = merkle.leaf_hash(receipt["leaf"].encode())
    assert receipt["leaf_hash"] == leaf_hash.hex()
    checkpoint = merkle.verify_checkpoint(receipt["checkpoint"], [ledger.verifier_key()], origin=receipt["origin"])
    assert checkpoint.size == receipt["tree_size"]
    merkle.verify_inclusion(leaf_hash, receipt["leaf_index"], receipt["tree_size"],
                            [bytes.fromhex(h) for h in receipt["inclusion_proof"]], checkpoint.root)


def test_a_reopened_receipt_carries_its_leaf_hash_and_verifies(client: Any, owner: Any, make_user: Any) -> None:
    """Defect 3: the receipt reopened by tracker had no leaf_hash, so the browser said it failed."""
    vote = make_vote(owner, allow_change=True)
    ids = option_ids(vote)
    voter = make_user()
    client.force_login(voter)
    client.post(f"/voting/{vote.pk}/cast", {"choice": [str(ids[0])]})
    for i in range(3):
        client.force_login(make_user())
        client.post(f"/voting/{vote.pk}/cast", {"choice": [str(ids[i % 3])]})
    clock.advance(11)
    client.force_login(voter)
    mine = Ballot.objects.get(vote=vote, seq=0)
    by_page = _receipt_in_page(client.get(f"/voting/receipt/?tracker={mine.tracker}").content.decode())
    _verifies(by_page)
    by_api = client.get(f"/api/v1/voting/receipts/{mine.tracker}").json()
    _verifies(by_api)
    typed = "".join(mine.tracker.split("-")).lower()  # as a person might type it
    assert _receipt_in_page(client.get(f"/voting/receipt/?tracker={typed}").content.decode())["tracker"] == mine.tracker


def test_my_receipts_lists_my_ballots_and_only_mine(client: Any, owner: Any, make_user: Any) -> None:
    first, second, other_vote = make_vote(owner, title="첫 투표"), make_vote(owner, title="둘째 투표"), make_vote(owner)
    me, someone = make_user(), make_user()
    for vote, who in ((first, me), (second, me), (other_vote, someone)):
        client.force_login(who)
        client.post(f"/voting/{vote.pk}/cast", {"choice": [str(option_ids(vote)[0])]})
    client.force_login(me)
    text = client.get("/voting/receipts/").content.decode()
    mine = Ballot.objects.filter(vote__in=[first, second])
    for ballot in mine:
        assert f'href="/voting/receipt/?tracker={ballot.tracker}"' in text
    assert Ballot.objects.get(vote=other_vote).tracker not in text
    assert 'href="/voting/receipts/"' in client.get("/voting/").content.decode()
    assert 'href="/voting/receipts/"' in client.get("/accounts/profile/").content.decode()
    client.logout()
    assert client.get("/voting/receipts/").status_code == 302


def test_a_refused_on_spot_ballot_explains_itself_in_korean(client: Any, owner: Any, make_user: Any) -> None:
    vote = make_vote(owner, kind="onspot", target={"type": "geofence", "circle": {"lat": 37.5658, "lon": 126.9779,
                                                                                  "radius_m": 300}})
    client.force_login(make_user())
    page = client.get(f"/voting/{vote.pk}/").content.decode()
    assert 'data-needs-location="1"' in page and 'id="location-text"' in page
    choice = str(option_ids(vote)[0])
    far = client.post(f"/voting/{vote.pk}/cast", {"choice": [choice], "lat": "37.50", "lon": "127.05"}, follow=True)
    assert "현장 투표 구역 안에 계시지 않아요." in far.content.decode()
    near = client.post(f"/voting/{vote.pk}/cast", {"choice": [choice], "lat": "37.5660", "lon": "126.9781"})
    assert near.status_code == 302 and near.url.startswith("/voting/receipt/?tracker=")


def test_the_ballots_widget_counts_in_the_readers_language(owner: Any, make_user: Any) -> None:
    from django.utils import translation

    from smartseoul.core.registry import Period, WidgetQuery
    from smartseoul.voting import services, widgets

    vote = make_vote(owner, closes_at=clock.now() + timedelta(days=1))
    services.ballot_cast(vote_id=vote.pk, voter=make_user(), choices=[option_ids(vote)[0]])
    query = WidgetQuery(period=Period(clock.now() - timedelta(days=1), clock.now()))
    with translation.override("ko"):
        assert widgets.ballots_today(query) == {"value": 1, "unit": "표"}
    with translation.override("en"):
        assert widgets.ballots_today(query)["unit"] == "ballot"  # one ballot, not "1 ballots"
        services.ballot_cast(vote_id=vote.pk, voter=make_user(), choices=[option_ids(vote)[1]])
        assert widgets.ballots_today(query) == {"value": 2, "unit": "ballots"}


def test_points_on_the_results_page_are_counted_in_the_readers_language(
    client: Any, owner: Any, make_user: Any
) -> None:
    """The bar said "(5 points)" on the Korean page: the number and its unit are one phrase."""
    from smartseoul.voting import services

    vote = make_vote(owner, ballot_type="points", points_total=5, live_results=True)
    first, second, _third = option_ids(vote)
    services.ballot_cast(vote_id=vote.pk, voter=make_user(), choices={first: 4, second: 1})
    korean = client.get(f"/voting/{vote.pk}/results/").content.decode()
    assert "(4점)" in korean and "(1점)" in korean and "points)" not in korean
    english = _english(client).get(f"/voting/{vote.pk}/results/").content.decode()
    assert "(4 points)" in english and "(1 point)" in english


def test_an_empty_vote_list_says_what_to_do_next(client: Any, make_user: Any, city: Any) -> None:
    from conftest import sign_in

    sign_in(client, make_user())
    page = client.get("/voting/").content.decode()
    assert "지금 진행 중인 투표가 없습니다." in page
    assert "시민에게 직접 질문을 올릴 수도 있습니다." in page


def test_the_new_vote_form_offers_districts_by_name_and_no_raw_codes(client: Any, owner: Any, make_user: Any) -> None:
    from smartseoul.accounts.policy import SECOND_FACTOR_SESSION_KEY

    client.force_login(make_user())
    citizen_form = client.get("/voting/new/").content.decode()
    assert 'name="district_codes" value="11110"' in citizen_form
    assert "종로구" in citizen_form and "11110, 11140" not in citizen_form
    assert 'name="owner_body"' not in citizen_form and 'name="password"' not in citizen_form
    client.force_login(owner)
    session = client.session
    session[SECOND_FACTOR_SESSION_KEY] = True
    session.save()
    official_form = client.get("/voting/new/").content.decode()
    assert '<option value="11110">종로구청</option>' in official_form
    assert '<option value="city" selected>서울특별시</option>' in official_form
    r = client.post("/voting/new/", {
        "kind": "policy", "title": "종로·중구 주민 투표", "options": "가\n나", "ballot_type": "single",
        "opens_at": "2026-01-01T09:00", "closes_at": "2099-01-01T09:00", "target_type": "districts",
        "district_codes": ["11110", "11140"], "owner_body": "11110",
    })
    assert r.status_code == 302, r.content.decode()[:3000]
    from smartseoul.voting.models import Vote

    vote = Vote.objects.get(title="종로·중구 주민 투표")
    assert vote.target_codes == ["11110", "11140"] and vote.owner_body == "11110"


def test_the_site_search_finds_public_votes_by_their_words(client: Any, owner: Any) -> None:
    from smartseoul.voting.selectors import site_search_hits

    vote = make_vote(owner, title="청계천 야간 조명 색상", description="Which lighting colour at night?")
    make_vote(owner, title="한강공원 그늘막 위치", description="Where should the shade go?")
    hits = site_search_hits("청계천 조명", None, 5)
    assert [h.url for h in hits] == [f"/voting/{vote.pk}/"]
    assert site_search_hits("lighting colour", None, 5)[0].title == "청계천 야간 조명 색상"
    assert site_search_hits("없는말", None, 5) == []
    page = client.get("/search/?q=청계천").content.decode()
    assert f'href="/voting/{vote.pk}/"' in page
