"""Casting rules: eligibility by target, time windows, one ballot per person, changes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from smartseoul.accounts.models import Verification
from smartseoul.core import clock
from smartseoul.core.errors import DomainError
from smartseoul.voting import selectors, services
from smartseoul.voting.models import Ballot, Checkpoint, LogNode, Vote

from .factories import make_vote, option_ids

pytestmark = pytest.mark.django_db

PLAZA = {"lat": 37.5658, "lon": 126.9779, "radius_m": 300}


def code_of(fn: Any) -> str:
    with pytest.raises(DomainError) as err:
        fn()
    return err.value.code


def stored_state(vote: Vote) -> tuple[int, int, int, int]:
    vote.refresh_from_db()
    return (vote.log_size, Ballot.objects.filter(vote=vote).count(), LogNode.objects.filter(tree=vote).count(),
            Checkpoint.objects.filter(vote=vote).count())


def test_onspot_refuses_outside_geofence_and_outside_window(owner: Any, make_user: Any) -> None:
    now = clock.now()
    vote = make_vote(owner, kind="onspot", target={"type": "geofence", "circle": PLAZA},
                     opens_at=now + timedelta(hours=1), closes_at=now + timedelta(hours=3))
    ids = option_ids(vote)
    voter = make_user()
    before = stored_state(vote)
    # before the window: refused even at the plaza
    assert code_of(lambda: services.ballot_cast(vote_id=vote.pk, voter=voter, choices=[ids[0]],
                                                location=(37.5658, 126.9779))) == "vote_not_open"
    clock.advance(3600 + 60)
    # inside the window, but 1.2 km away (Gwanghwamun), and with no location at all
    assert code_of(lambda: services.ballot_cast(vote_id=vote.pk, voter=voter, choices=[ids[0]],
                                                location=(37.5759, 126.9768))) == "outside_geofence"
    assert code_of(lambda: services.ballot_cast(vote_id=vote.pk, voter=voter, choices=[ids[0]])) == "location_required"
    assert stored_state(vote) == before
    receipt = services.ballot_cast(vote_id=vote.pk, voter=voter, choices=[ids[0]], location=(37.5662, 126.9781))
    assert receipt.leaf_index == 0
    # after the window closes
    clock.advance(2 * 3600)
    assert code_of(lambda: services.ballot_cast(vote_id=vote.pk, voter=make_user(), choices=[ids[0]],
                                                location=(37.5658, 126.9779))) == "vote_not_open"


def test_onspot_polygon(owner: Any, make_user: Any) -> None:
    square = {"type": "Polygon", "coordinates": [[[126.976, 37.564], [126.980, 37.564], [126.980, 37.568],
                                                   [126.976, 37.568], [126.976, 37.564]]]}
    vote = make_vote(owner, kind="onspot", target={"type": "geofence", "polygon": square})
    ids = option_ids(vote)
    assert code_of(lambda: services.ballot_cast(vote_id=vote.pk, voter=make_user(), choices=[ids[1]],
                                                location=(37.570, 126.978))) == "outside_geofence"
    services.ballot_cast(vote_id=vote.pk, voter=make_user(), choices=[ids[1]], location=(37.566, 126.978))


def test_phone_list_refuses_a_number_not_listed(owner: Any, make_user: Any) -> None:
    listed = make_user(phone="010-2222-3333")
    other = make_user(phone="010-9999-8888")
    vote = make_vote(owner, target={"type": "phones", "phones": ["01022223333", "010-4444-5555"]})
    assert "01022223333" not in str(list(Vote.objects.filter(pk=vote.pk).values()))  # hashes only
    ids = option_ids(vote)
    before = stored_state(vote)
    assert code_of(lambda: services.ballot_cast(vote_id=vote.pk, voter=other, choices=[ids[0]])) == "phone_not_listed"
    assert stored_state(vote) == before
    services.ballot_cast(vote_id=vote.pk, voter=listed, choices=[ids[0]])
    assert code_of(lambda: make_vote(owner, target={"type": "phones", "phones": ["12345"]})) == "bad_vote"


def test_district_residents_password_and_age(owner: Any, make_user: Any) -> None:
    vote = make_vote(owner, target={"type": "districts", "codes": ["11110"]})
    ids = option_ids(vote)
    resident = make_user(district="11110", verification=Verification.RESIDENT)
    elsewhere = make_user(district="11140", verification=Verification.RESIDENT)
    unverified = make_user(district="11110", verification=Verification.PHONE)
    assert code_of(lambda: services.ballot_cast(vote_id=vote.pk, voter=elsewhere, choices=[ids[0]])) == "wrong_district"
    assert code_of(lambda: services.ballot_cast(vote_id=vote.pk, voter=unverified,
                                                choices=[ids[0]])) == "resident_required"
    services.ballot_cast(vote_id=vote.pk, voter=resident, choices=[ids[0]])
    assert selectors.vote_results(vote.pk)["by_district"] == {"11110": {ids[0]: 1}}

    pw = make_vote(owner, target={"type": "password", "password": "seoul-2026"})
    pid = option_ids(pw)
    assert "seoul-2026" not in Vote.objects.get(pk=pw.pk).password_hash
    assert code_of(lambda: services.ballot_cast(vote_id=pw.pk, voter=resident, choices=[pid[0]],
                                                password="wrong")) == "wrong_password"
    services.ballot_cast(vote_id=pw.pk, voter=resident, choices=[pid[0]], password="seoul-2026")

    aged = make_vote(owner, min_age=19)
    aid = option_ids(aged)
    young = make_user()
    assert code_of(lambda: services.ballot_cast(vote_id=aged.pk, voter=young,
                                                choices=[aid[0]])) == "birth_year_required"
    young.birth_year = clock.today_local().year - 15
    young.save()
    assert code_of(lambda: services.ballot_cast(vote_id=aged.pk, voter=young, choices=[aid[0]])) == "too_young"
    unverified_user = make_user(verification=Verification.UNVERIFIED)
    assert code_of(lambda: services.ballot_cast(vote_id=vote.pk, voter=unverified_user,
                                                choices=[ids[0]])) == "verification_required"


def test_second_ballot_refused_without_changes(owner: Any, make_user: Any) -> None:
    vote = make_vote(owner)
    ids = option_ids(vote)
    voter = make_user()
    services.ballot_cast(vote_id=vote.pk, voter=voter, choices=[ids[0]])
    before = stored_state(vote)
    assert code_of(lambda: services.ballot_cast(vote_id=vote.pk, voter=voter, choices=[ids[1]])) == "already_voted"
    assert stored_state(vote) == before
    (ballot,) = selectors.current_ballots(vote.pk)
    assert ballot["choices"] == [ids[0]]


def test_changed_ballot_supersedes_with_a_new_leaf(owner: Any, make_user: Any) -> None:
    vote = make_vote(owner, allow_change=True)
    ids = option_ids(vote)
    voter = make_user()
    first = services.ballot_cast(vote_id=vote.pk, voter=voter, choices=[ids[0]])
    services.ballot_cast(vote_id=vote.pk, voter=make_user(), choices=[ids[2]])
    second = services.ballot_cast(vote_id=vote.pk, voter=voter, choices=[ids[1]])
    assert second.leaf_index == 2 and '"supersedes":0' in second.leaf
    old = Ballot.objects.get(vote=vote, seq=0)
    assert not old.current and old.superseded_by == 2 and old.leaf == first.leaf  # nothing rewritten
    results = selectors.vote_results(vote.pk)
    assert results["total_ballots"] == 2
    assert [o["count"] for o in results["options"]] == [0, 1, 1]


def test_bad_ballots_and_bad_votes_store_nothing(owner: Any, make_user: Any) -> None:
    vote = make_vote(owner, ballot_type="multiple", max_choices=2)
    ids = option_ids(vote)
    voter = make_user()
    before = stored_state(vote)
    for choices, code in [([], "bad_choices"), ([ids[0], ids[0]], "bad_choices"), ([999999], "bad_choices"),
                          (ids, "too_many_choices"), ({ids[0]: 1}, "bad_choices"), ("1", "bad_choices")]:
        assert code_of(lambda c=choices: services.ballot_cast(vote_id=vote.pk, voter=voter, choices=c)) == code
    assert stored_state(vote) == before
    count = Vote.objects.count()
    now = clock.now()
    for kwargs in [dict(ballot_type="nope"), dict(options=[{"text": "only one"}]), dict(kind="onspot"),
                   dict(opens_at=now, closes_at=now - timedelta(hours=1)),
                   dict(ballot_type="knapsack", budget_limit=10),
                   dict(target={"type": "districts", "codes": ["99999"]}), dict(ballot_type="multiple"),
                   dict(title=" ")]:
        assert code_of(lambda k=kwargs: make_vote(owner, **k)) == "bad_vote"
    citizen = make_user()
    assert code_of(lambda: make_vote(citizen)) == "not_vote_owner"
    assert Vote.objects.count() == count


def test_general_vote_goes_through_moderation(owner: Any, make_user: Any) -> None:
    asker = make_user()
    vote = make_vote(asker, kind="general")
    assert vote.status == "review"
    ids = option_ids(vote)
    # a question awaiting moderation is not public: a ballot for it finds no vote
    assert code_of(lambda: services.ballot_cast(vote_id=vote.pk, voter=make_user(),
                                                choices=[ids[0]])) == "vote_not_found"
    services.vote_moderate(vote_id=vote.pk, actor=owner, approve=True)
    services._rules_cache.clear()
    services.ballot_cast(vote_id=vote.pk, voter=make_user(), choices=[ids[0]])


def test_a_citizen_may_open_only_a_few_general_votes_a_day(make_user: Any) -> None:
    asker = make_user()
    for _ in range(services.GENERAL_VOTES_PER_DAY):
        make_vote(asker, kind="general")
    assert code_of(lambda: make_vote(asker, kind="general")) == "rate_limited"
    assert Vote.objects.filter(owner=asker).count() == services.GENERAL_VOTES_PER_DAY
    make_vote(make_user(), kind="general")  # another citizen is not affected


def test_checkpoints_every_interval_and_at_close(owner: Any, make_user: Any) -> None:
    vote = make_vote(owner)
    ids = option_ids(vote)
    for _ in range(3):
        services.ballot_cast(vote_id=vote.pk, voter=make_user(), choices=[ids[0]])
    assert list(Checkpoint.objects.filter(vote=vote).values_list("size", flat=True)) == [1]
    clock.advance(11)
    services.ballot_cast(vote_id=vote.pk, voter=make_user(), choices=[ids[1]])
    assert list(Checkpoint.objects.filter(vote=vote).values_list("size", flat=True)) == [1, 4]
    services.ballot_cast(vote_id=vote.pk, voter=make_user(), choices=[ids[1]])
    assert services.checkpoints_sign_due() == 1
    services.vote_close(vote_id=vote.pk, actor=owner)
    assert list(Checkpoint.objects.filter(vote=vote).values_list("size", flat=True)) == [1, 4, 5]
    assert code_of(lambda: services.ballot_cast(vote_id=vote.pk, voter=make_user(),
                                                choices=[ids[1]])) == "vote_not_open"
    results = selectors.vote_results(vote.pk)
    assert results["status"] == "closed" and results["total_ballots"] == 5 and results["log"]["size"] == 5
    assert code_of(lambda: services.vote_close(vote_id=vote.pk, actor=make_user())) == "not_vote_owner"


def test_votes_close_on_time(owner: Any, make_user: Any) -> None:
    vote = make_vote(owner, closes_at=clock.now() + timedelta(hours=1))
    services.ballot_cast(vote_id=vote.pk, voter=make_user(), choices=[option_ids(vote)[0]])
    assert services.votes_close_due() == 0
    clock.advance(3601)
    assert services.votes_close_due() == 1
    assert Vote.objects.get(pk=vote.pk).status == "closed"
