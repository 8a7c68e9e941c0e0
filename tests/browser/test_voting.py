"""A resident votes in a district vote, gets a receipt and verifies it in the browser; after
more ballots the same receipt still verifies against the newer checkpoint (consistency proof),
and reopened from the vote page and from "my receipts" it verifies too. Junk pasted into the
verifier is "not a receipt", never a failed proof to report."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from smartseoul.accounts.models import Verification
from smartseoul.core import clock

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _ledger_key(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    settings.DATA_DIR = tmp_path_factory.mktemp("ledger")
    settings.LEDGER_KEY = ""


def test_resident_receipt_verifies_in_the_browser(city: Any, make_user: Any, phone_page: Any,
                                                  artefacts_dir: Any) -> None:
    from smartseoul.voting import services

    services._rules_cache.clear()
    owner = make_user("jongno_office", role="official", department="11110-parking")
    now = clock.now()
    vote = services.vote_create(
        owner=owner, kind="policy", title="종로구 골목길 우선 정비", owner_body="11110",
        options=[{"text": "익선동 한옥길"}, {"text": "서촌 골목"}, {"text": "창신동 봉제골목"}],
        ballot_type="single", opens_at=now - timedelta(minutes=5), closes_at=now + timedelta(days=3),
        target={"type": "districts", "codes": ["11110"]},
    )
    option = vote.options.order_by("position")[1]
    make_user("jongno_resident", district="11110", verification=Verification.RESIDENT)

    page = phone_page
    page.goto(f"/accounts/login/?next=/voting/{vote.pk}/")
    page.fill("#id_username", "jongno_resident")
    page.fill("#id_password", "correct-horse-battery")
    page.click("#login-submit")
    page.wait_for_url(f"**/voting/{vote.pk}/")
    page.check(f"input[name=choice][value='{option.pk}']")
    page.click("#cast")
    page.wait_for_url("**/voting/receipt/?tracker=*")  # post/redirect/get: a reload sends nothing
    page.wait_for_selector("#cast-ok")
    page.wait_for_selector("#verdict[data-ok]")
    assert page.get_attribute("#verdict", "data-ok") == "1", page.inner_text("#checks")
    assert page.locator("#checks li[data-ok='0']").count() == 0
    receipt = json.loads(page.input_value("#receipt-json"))
    assert receipt["tree_size"] == 1 and json.loads(receipt["leaf"])["choices"] == [option.pk]
    page.screenshot(path=str(artefacts_dir / "voting-receipt.png"), full_page=True)

    # more residents vote; a checkpoint is published later
    for i in range(6):
        voter = make_user(f"jongno_{i}", district="11110", verification=Verification.RESIDENT)
        services.ballot_cast(vote_id=vote.pk, voter=voter, choices=[option.pk])
    clock.advance(11)
    services.ballot_cast(vote_id=vote.pk, voter=make_user("jongno_late", district="11110",
                                                          verification=Verification.RESIDENT), choices=[option.pk])

    # the same pasted receipt, checked again: against the newer checkpoint through a consistency proof
    page.goto("/voting/receipt/")
    page.fill("#receipt-json", json.dumps(receipt))
    page.click("#verify")
    page.wait_for_selector("#verdict[data-ok]")
    assert page.get_attribute("#verdict", "data-ok") == "1", page.inner_text("#checks")
    assert int(page.get_attribute("#receipt-form", "data-newer-size") or 0) == 8
    assert "이전 기록과 일관됨" in page.inner_text("#checks")  # checked against the newer checkpoint

    # a tampered receipt fails in the browser
    bad = dict(receipt, leaf=receipt["leaf"].replace(str(option.pk), str(option.pk + 1000)))
    page.fill("#receipt-json", json.dumps(bad))
    page.click("#verify")
    page.wait_for_selector("#verdict[data-ok='0']")
    assert page.get_attribute("#verdict", "data-verdict") == "bad"

    # reopened from the vote page ("내 영수증") and from "my receipts": each verifies
    page.goto(f"/voting/{vote.pk}/")
    page.click("#my-receipt")
    page.wait_for_selector("#verdict[data-ok]")
    assert page.get_attribute("#verdict", "data-ok") == "1", page.inner_text("#checks")
    assert "cast-ok" not in page.content()
    page.goto("/voting/receipts/")
    page.click(f".receipt-row[data-tracker='{receipt['tracker']}'] a.button")
    page.wait_for_selector("#verdict[data-ok]")
    assert page.get_attribute("#verdict", "data-ok") == "1", page.inner_text("#checks")
    assert json.loads(page.input_value("#receipt-json"))["leaf_hash"] == receipt["leaf_hash"]
    page.screenshot(path=str(artefacts_dir / "voting-receipt-reopened.png"), full_page=True)


@pytest.mark.parametrize("junk", ["hello", "{not json", '{"vote": 1}', "[1, 2]", '{"vote_id": 1, "tracker": "X"}'])
def test_junk_in_the_verifier_is_not_a_receipt(live_server: Any, phone_page: Any, junk: str) -> None:
    page = phone_page
    page.goto("/voting/receipt/")
    page.fill("#receipt-json", junk)
    page.click("#verify")
    page.wait_for_selector("#verdict[data-verdict]")
    assert page.get_attribute("#verdict", "data-verdict") == "not-receipt"
    verdict = page.inner_text("#verdict")
    assert "투표 영수증이 아니에요" in verdict and "감사인" not in verdict
    assert page.locator("#checks li[data-ok='0']").count() == 0


def test_junk_in_the_verifier_is_not_a_receipt_in_english(live_server: Any, browser: Any) -> None:
    context = browser.new_context(locale="en-US", base_url=live_server.url)
    page = context.new_page()
    page.goto("/voting/receipt/")
    page.fill("#receipt-json", "{oops")
    page.click("#verify")
    page.wait_for_selector("#verdict[data-verdict]")
    assert page.inner_text("#verdict").startswith("This is not a ballot receipt.")
    context.close()
