"""Writes of the voting module: create, moderate, publish and close votes; cast ballots into the log.

Contract used by other modules (budget): `vote_create`, `ballot_cast`, `vote_close` here and
`vote_results`, `current_ballots`, `vote_option_ids_by_key` in selectors (see docs/voting.md).
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.contrib.auth.hashers import check_password, make_password
from django.core.files.base import File
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils.translation import gettext as _

from smartseoul.accounts.models import Capability, Verification
from smartseoul.accounts.services import identity_hash, phone_hash
from smartseoul.core import clock, ratelimit
from smartseoul.core.errors import DomainError
from smartseoul.core.services import audit_record
from smartseoul.lib import merkle
from smartseoul.lib.geo import geometry_from_geojson, haversine_m

from . import ledger, selectors, sequencer
from .errors import (
    AlreadyVoted,
    BadBallot,
    BadVote,
    LogBusy,
    NotEligible,
    NotOwner,
    VoteClosed,
    VoteNotEditable,
    VoteNotFound,
    VotingErrorCode,
)
from .models import BallotType, Checkpoint, Kind, Option, Status, TargetType, Vote, VotePhone

if TYPE_CHECKING:
    from smartseoul.accounts.models import User

log = logging.getLogger("smartseoul.voting")

MAX_OPTIONS = 200
LOCK_RETRIES = 60


# --- receipts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Receipt:
    """What a voter keeps: the leaf (its own ballot), where it is in the log, and a proof
    against a signed checkpoint of exactly that size. Hashes are hex; the checkpoint is the
    C2SP signed note; `verifier_key` is the log's public key in the Go note format."""

    vote_id: int
    tracker: str
    leaf_index: int
    leaf: str
    leaf_hash: str
    tree_size: int
    inclusion_proof: list[str]
    checkpoint: str
    origin: str
    verifier_key: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# --- votes -------------------------------------------------------------------------------------


def _can_own_official_vote(owner: User, source: str) -> bool:
    if owner.is_official or owner.has_capability(Capability.VOTE_OWNER):
        return True
    return source.startswith("budget:") and owner.has_capability(Capability.BUDGET_COMMITTEE)


def _validate_target(target: Mapping[str, Any], kind: str) -> dict[str, Any]:
    """Normalises a target; returns the model fields it sets (phones separately)."""
    from smartseoul.core.selectors import districts

    if not isinstance(target, Mapping):
        raise BadVote(_("The target must be an object with a type."))
    ttype = target.get("type", TargetType.EVERYONE)
    if ttype not in TargetType.values:
        raise BadVote(_("Unknown target type %(type)r.") % {"type": ttype}, field="target")
    if kind == Kind.ONSPOT and ttype != TargetType.GEOFENCE:
        raise BadVote(_("An on-spot vote needs a geofence target (a circle or a polygon)."), field="target")
    fields: dict[str, Any] = {"target_type": ttype, "target_codes": [], "geofence": None, "password_hash": ""}
    if ttype == TargetType.DISTRICTS:
        codes = [str(c) for c in target.get("codes") or []]
        if not codes:
            raise BadVote(_("Choose at least one district."), field="target")
        known = set(districts().values_list("code", flat=True))
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise BadVote(_("Unknown district codes: %(codes)s.") % {"codes": ", ".join(unknown)}, field="target")
        fields["target_codes"] = sorted(set(codes))
    elif ttype == TargetType.GEOFENCE:
        if "circle" in target and target["circle"] is not None:
            c = target["circle"]
            try:
                lat, lon, radius = float(c["lat"]), float(c["lon"]), float(c["radius_m"])
            except (KeyError, TypeError, ValueError) as exc:
                raise BadVote(_("A geofence circle needs lat, lon and radius_m."), field="target") from exc
            if not (-90 <= lat <= 90 and -180 <= lon <= 180) or not 10 <= radius <= 50_000:
                raise BadVote(_("The circle is out of range (radius 10 m to 50 km)."), field="target")
            fields["geofence"] = {"circle": {"lat": lat, "lon": lon, "radius_m": radius}}
        elif "polygon" in target and target["polygon"] is not None:
            try:
                geom = geometry_from_geojson(target["polygon"])
            except ValueError as exc:
                raise BadVote(_("The geofence polygon is not valid: %(error)s") % {"error": exc},
                              field="target") from exc
            from smartseoul.lib.geo import to_rfc7946

            fields["geofence"] = {"polygon": to_rfc7946(geom)}
        else:
            raise BadVote(_("A geofence target needs a circle or a polygon."), field="target")
    elif ttype == TargetType.PASSWORD:
        password = str(target.get("password") or "")
        if len(password) < 4:
            raise BadVote(_("The vote password needs at least 4 characters."), field="target")
        fields["password_hash"] = make_password(password)
    elif ttype == TargetType.PHONES and not target.get("phones"):
        raise BadVote(_("List at least one phone number."), field="target")
    return fields


def _phone_hashes(target: Mapping[str, Any]) -> list[str]:
    if target.get("type") != TargetType.PHONES:
        return []
    hashes: set[str] = set()
    for i, number in enumerate(target.get("phones") or [], start=1):
        try:
            hashes.add(phone_hash(str(number)))
        except DomainError as exc:
            raise BadVote(_("Phone number %(n)s is not a Korean mobile number.") % {"n": i}, field="target",
                          index=i) from exc
    return sorted(hashes)


def _validate_rules(
    *, ballot_type: str, options: Sequence[Mapping[str, Any]], max_choices: int | None, points_total: int | None,
    budget_limit: int | None,
) -> None:
    if ballot_type not in BallotType.values:
        raise BadVote(_("Unknown ballot type %(type)r.") % {"type": ballot_type}, field="ballot_type")
    if not 2 <= len(options) <= MAX_OPTIONS:
        raise BadVote(_("A vote needs between 2 and %(n)s options.") % {"n": MAX_OPTIONS}, field="options")
    keys = [str(o.get("key") or "") for o in options]
    if len([k for k in keys if k]) != len({k for k in keys if k}):
        raise BadVote(_("Option keys must be unique."), field="options")
    for i, o in enumerate(options, start=1):
        if not isinstance(o, Mapping) or not str(o.get("text") or "").strip():
            raise BadVote(_("Option %(n)s needs a text.") % {"n": i}, field="options", index=i)
        if len(str(o["text"])) > 300:
            raise BadVote(_("Option %(n)s is longer than 300 characters.") % {"n": i}, field="options", index=i)
        cost = o.get("cost")
        if cost is not None and (not isinstance(cost, int) or isinstance(cost, bool) or cost < 0):
            raise BadVote(_("Option %(n)s: the cost must be a whole number ≥ 0.") % {"n": i}, field="options",
                          index=i)
    if max_choices is not None and not 1 <= max_choices <= len(options):
        raise BadVote(_("The maximum number of choices must be between 1 and the number of options."),
                      field="max_choices")
    if ballot_type == BallotType.MULTIPLE and max_choices is None:
        raise BadVote(_("A multiple-choice vote needs a maximum number of choices."), field="max_choices")
    if ballot_type == BallotType.POINTS and (points_total is None or points_total < 1):
        raise BadVote(_("A points vote needs at least 1 point per voter."), field="points_total")
    if ballot_type == BallotType.KNAPSACK:
        if budget_limit is None or budget_limit < 1:
            raise BadVote(_("A budget vote needs a budget of at least 1 won."), field="budget_limit")
        if any(o.get("cost") is None for o in options):
            raise BadVote(_("Every option of a budget vote needs a cost."), field="options")


GENERAL_VOTES_PER_DAY = 5


@transaction.atomic
def vote_create(
    *,
    owner: User,
    kind: str,
    title: str,
    description: str = "",
    options: Sequence[Mapping[str, Any]],
    ballot_type: str,
    max_choices: int | None = None,
    points_total: int | None = None,
    budget_limit: int | None = None,
    opens_at: datetime,
    closes_at: datetime,
    target: Mapping[str, Any] | None = None,
    allow_change: bool = False,
    live_results: bool = False,
    min_age: int | None = None,
    owner_body: str = "city",
    source: str = "",
    publish: bool = True,
) -> Vote:
    """Creates a vote with its options. Policy and on-spot votes are opened by officials (or
    vote owners; budget votes also by the budget committee); a general vote by any
    phone-verified citizen goes to moderation first, whatever `publish` says."""
    target = dict(target or {"type": TargetType.EVERYONE})
    if kind not in Kind.values:
        raise BadVote(_("Unknown vote kind %(kind)r.") % {"kind": kind}, field="kind")
    if kind == Kind.GENERAL:
        if owner.verification < Verification.PHONE and not owner.is_official:
            raise NotEligible(_("Verify your phone before asking the city a question."),
                              code=VotingErrorCode.VERIFICATION_REQUIRED)
        if not owner.is_official:  # citizens' questions go to moderators: keep the queue humane
            ratelimit.hit(f"vote-general:{owner.pk}", limit=GENERAL_VOTES_PER_DAY, window_seconds=86400,
                          message=_("You have asked the city enough questions for today; try again tomorrow."))
    elif not _can_own_official_vote(owner, source):
        raise NotOwner(_("Only officials and vote owners open policy and on-spot votes."))
    title = (title or "").strip()
    if not title or len(title) > 200:
        raise BadVote(_("The title is required (at most 200 characters)."), field="title")
    if opens_at >= closes_at:
        raise BadVote(_("The vote must close after it opens."), field="closes_at")
    if publish and closes_at <= clock.now():
        raise BadVote(_("The closing time is already past."), field="closes_at")
    if min_age is not None and not 0 < min_age < 120:
        raise BadVote(_("The minimum age must be between 1 and 119."), field="min_age")
    _validate_rules(ballot_type=ballot_type, options=options, max_choices=max_choices, points_total=points_total,
                    budget_limit=budget_limit)
    target_fields = _validate_target(target, kind)
    phones = _phone_hashes(target)
    if kind == Kind.GENERAL:
        status = Status.REVIEW if publish else Status.DRAFT
        owner_body = "citizen"
    else:
        status = Status.PUBLISHED if publish else Status.DRAFT
    now = clock.now()
    vote = Vote.objects.create(
        kind=kind, owner=owner, owner_body=owner_body[:20], title=title, description=description,
        ballot_type=ballot_type, max_choices=max_choices, points_total=points_total, budget_limit=budget_limit,
        opens_at=opens_at, closes_at=closes_at, allow_change=allow_change, live_results=live_results,
        min_age=min_age, source=source[:100], status=status, created_at=now,
        published_at=now if status == Status.PUBLISHED else None, **target_fields,
    )
    for position, o in enumerate(options):
        opt = Option(vote=vote, position=position, text=str(o["text"]).strip(), cost=o.get("cost"),
                     key=str(o.get("key") or "")[:100])
        image = o.get("image")
        if isinstance(image, File):
            opt.image.save(image.name or f"option-{position}", image, save=False)
        elif isinstance(image, str):
            opt.image_url = image[:500]
        opt.save()
    VotePhone.objects.bulk_create([VotePhone(vote=vote, phone_hash=h) for h in phones])
    audit_record(actor=owner, action="voting.vote_create", target=vote,
                 details={"kind": kind, "status": status, "target": target_fields["target_type"], "source": source})
    if status == Status.PUBLISHED:
        transaction.on_commit(lambda: _schedule_close(vote.pk, closes_at))
    return vote


def _schedule_close(vote_id: int, at: datetime) -> None:
    from django_tasks import default_task_backend

    from .tasks import close_due_vote

    if default_task_backend.supports_defer:
        close_due_vote.using(run_after=at).enqueue(vote_id)


def _lock_vote(vote_id: int, *, no_key: bool = False) -> Vote:
    """The vote row, locked. `no_key` (PostgreSQL FOR NO KEY UPDATE) lets ballots be accepted
    meanwhile; the full lock (closing, publishing) waits for acceptances in flight and holds new
    ones back (they key-share lock the row)."""
    try:
        return Vote.objects.select_for_update(no_key=no_key).get(pk=vote_id)
    except Vote.DoesNotExist as exc:
        raise VoteNotFound(f"No vote {vote_id}.") from exc


def _may_manage(vote: Vote, actor: User) -> bool:
    if actor.is_city_admin or selectors.is_owner(vote, actor):
        return True
    return vote.source.startswith("budget:") and actor.has_capability(Capability.BUDGET_COMMITTEE)


@transaction.atomic
def vote_publish(*, vote_id: int, actor: User) -> Vote:
    """Schedules a draft: it opens at `opens_at`. A citizen's general vote goes to moderation."""
    vote = _lock_vote(vote_id)
    if not _may_manage(vote, actor):
        raise NotOwner(_("Only the vote's owner publishes it."))
    if vote.status != Status.DRAFT:
        raise VoteNotEditable(_("Only a draft can be published."))
    if vote.closes_at <= clock.now():
        raise BadVote(_("The closing time is already past; change it first."), field="closes_at")
    if vote.kind == Kind.GENERAL and not actor.is_official:
        vote.status = Status.REVIEW
    else:
        vote.status = Status.PUBLISHED
        vote.published_at = clock.now()
        transaction.on_commit(lambda: _schedule_close(vote.pk, vote.closes_at))
    vote.save(update_fields=["status", "published_at"])
    audit_record(actor=actor, action="voting.vote_publish", target=vote, details={"status": vote.status})
    return vote


@transaction.atomic
def vote_moderate(*, vote_id: int, actor: User, approve: bool, note: str = "") -> Vote:
    """A moderator approves (publishes) or rejects a citizen's general vote."""
    if not (actor.has_capability(Capability.MODERATOR) or actor.is_official):
        raise NotOwner(_("Only moderators review general votes."))
    vote = _lock_vote(vote_id)
    if vote.status != Status.REVIEW:
        raise VoteNotEditable(_("This vote is not awaiting moderation."))
    vote.status = Status.PUBLISHED if approve else Status.REJECTED
    vote.moderation_note = note[:300]
    if approve:
        if vote.closes_at <= clock.now():
            raise BadVote(_("The closing time is already past."), field="closes_at")
        vote.published_at = clock.now()
        transaction.on_commit(lambda: _schedule_close(vote.pk, vote.closes_at))
    vote.save(update_fields=["status", "moderation_note", "published_at"])
    audit_record(actor=actor, action="voting.vote_moderate", target=vote, details={"approve": approve})
    return vote


# --- eligibility ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class VoteRules:
    """The immutable part of a published vote, cached per process for fast casting."""

    id: int
    kind: str
    ballot_type: str
    max_choices: int | None
    points_total: int | None
    budget_limit: int | None
    target_type: str
    target_codes: tuple[str, ...]
    geofence: dict[str, Any] | None
    password_hash: str
    allow_change: bool
    min_age: int | None
    option_ids: tuple[int, ...]
    option_costs: dict[int, int]
    opens_at: datetime
    closes_at: datetime
    public: bool = False  # published or closed: a draft or a question in moderation takes no ballot


_rules_cache: dict[int, VoteRules] = {}
_rules_lock = threading.Lock()


def vote_rules(vote_id: int) -> VoteRules:
    with _rules_lock:
        cached = _rules_cache.get(vote_id)
    if cached is not None:
        return cached
    vote = Vote.objects.filter(pk=vote_id).first()
    if vote is None:
        raise VoteNotFound(f"No vote {vote_id}.")
    options = list(vote.options.values_list("pk", "cost"))
    rules = VoteRules(
        id=vote.pk, kind=vote.kind, ballot_type=vote.ballot_type, max_choices=vote.max_choices,
        points_total=vote.points_total, budget_limit=vote.budget_limit, target_type=vote.target_type,
        target_codes=tuple(vote.target_codes or ()), geofence=vote.geofence, password_hash=vote.password_hash,
        allow_change=vote.allow_change, min_age=vote.min_age, option_ids=tuple(pk for pk, _cost in options),
        option_costs={pk: cost for pk, cost in options if cost is not None},
        opens_at=vote.opens_at, closes_at=vote.closes_at, public=vote.status in (Status.PUBLISHED, Status.CLOSED),
    )
    if vote.status in (Status.PUBLISHED, Status.CLOSED):  # immutable from now on
        with _rules_lock:
            _rules_cache[vote_id] = rules
    return rules


def inside_geofence(geofence: Mapping[str, Any] | None, lat: float, lon: float) -> bool:
    if not geofence:
        return False
    if "circle" in geofence:
        c = geofence["circle"]
        return haversine_m(lat, lon, float(c["lat"]), float(c["lon"])) <= float(c["radius_m"])
    import shapely

    return bool(geometry_from_geojson(geofence["polygon"]).covers(shapely.Point(lon, lat)))


def check_eligibility(
    rules: VoteRules, voter: User, *, location: tuple[float, float] | None = None, password: str | None = None,
) -> str | None:
    """Raises NotEligible with a precise code. Returns the voter's district code when the
    voter is resident-verified (used for results by district), else None."""
    if not getattr(voter, "is_authenticated", False) or not voter.is_active:
        raise NotEligible(_("Sign in to vote."), code=VotingErrorCode.VERIFICATION_REQUIRED)
    if voter.verification < Verification.PHONE:
        raise NotEligible(_("Verify your phone to vote (one person, one ballot)."),
                          code=VotingErrorCode.VERIFICATION_REQUIRED)
    district = _district_code(voter) if voter.verification >= Verification.RESIDENT else None
    if rules.min_age is not None:
        if not voter.birth_year:
            raise NotEligible(_("This vote has a minimum age; add your birth year to your profile."),
                              code=VotingErrorCode.BIRTH_YEAR_REQUIRED)
        if clock.today_local().year - voter.birth_year < rules.min_age:
            raise NotEligible(_("This vote is for people aged %(age)s or over.") % {"age": rules.min_age},
                              code=VotingErrorCode.TOO_YOUNG)
    tt = rules.target_type
    if tt == TargetType.DISTRICTS:
        if voter.verification < Verification.RESIDENT:
            raise NotEligible(_("Only verified residents of %(districts)s can take part: verify your residence "
                                "first.") % {"districts": selectors.district_list(rules.target_codes)},
                              code=VotingErrorCode.RESIDENT_REQUIRED)
        if district not in rules.target_codes:
            raise NotEligible(_("Only residents of %(districts)s can take part.")
                              % {"districts": selectors.district_list(rules.target_codes)},
                              code=VotingErrorCode.WRONG_DISTRICT)
    elif tt == TargetType.GEOFENCE:
        if location is None:
            raise NotEligible(_("This on-spot vote needs your current location."),
                              code=VotingErrorCode.LOCATION_REQUIRED)
        lat, lon = location
        if not inside_geofence(rules.geofence, float(lat), float(lon)):
            raise NotEligible(_("You are not inside the area of this on-spot vote."),
                              code=VotingErrorCode.OUTSIDE_GEOFENCE)
    elif tt == TargetType.PHONES:
        if not voter.phone_hash or not VotePhone.objects.filter(vote_id=rules.id, phone_hash=voter.phone_hash).exists():
            raise NotEligible(_("Your phone number is not on this vote's list."),
                              code=VotingErrorCode.PHONE_NOT_LISTED)
    elif tt == TargetType.PASSWORD:
        ratelimit.hit(f"vote-pw:{rules.id}:{voter.pk}", limit=10, window_seconds=600,
                      message=_("Too many password attempts; wait ten minutes."))
        if not password or not check_password(password, rules.password_hash):
            raise NotEligible(_("The vote password is not right."), code=VotingErrorCode.WRONG_PASSWORD)
    return district


_district_codes: dict[int, str] = {}


def _district_code(voter: User) -> str | None:
    if not voter.home_district_id:
        return None
    code = _district_codes.get(voter.home_district_id)
    if code is None:
        from smartseoul.core.selectors import districts

        _district_codes.update(dict(districts().values_list("pk", "code")))
        code = _district_codes.get(voter.home_district_id)
    return code


def normalise_choices(rules: VoteRules, choices: Any) -> list[int] | dict[str, int]:
    """Checks a ballot against the vote's rules; returns its canonical form."""
    valid = set(rules.option_ids)
    bt = rules.ballot_type
    if bt == BallotType.POINTS:
        if not isinstance(choices, Mapping) or not choices:
            raise BadBallot(_("Give points to at least one option."))
        points: dict[str, int] = {}
        for k, v in choices.items():
            try:
                oid = int(k)
            except (TypeError, ValueError) as exc:
                raise BadBallot(_("Points go to option ids.")) from exc
            if oid not in valid:
                raise BadBallot(_("Option %(id)s is not part of this vote.") % {"id": oid})
            if not isinstance(v, int) or isinstance(v, bool) or v < 0:
                raise BadBallot(_("Points are whole numbers ≥ 0."))
            if v:
                points[str(oid)] = v
        total = sum(points.values())
        if total == 0:
            raise BadBallot(_("Give points to at least one option."))
        if rules.points_total is not None and total > rules.points_total:
            raise BadBallot(_("You gave %(total)s points; the limit is %(limit)s.")
                            % {"total": total, "limit": rules.points_total}, code=VotingErrorCode.OVER_POINTS)
        return dict(sorted(points.items(), key=lambda kv: int(kv[0])))
    if isinstance(choices, Mapping | str | bytes) or not isinstance(choices, Sequence):
        raise BadBallot(_("Choices are a list of option ids."))
    ids: list[int] = []
    for c in choices:
        if not isinstance(c, int) or isinstance(c, bool):
            raise BadBallot(_("Choices are option ids."))
        if c not in valid:
            raise BadBallot(_("Option %(id)s is not part of this vote.") % {"id": c})
        ids.append(c)
    if len(set(ids)) != len(ids):
        raise BadBallot(_("An option appears twice."))
    if not ids:
        raise BadBallot(_("Choose at least one option."))
    if bt == BallotType.SINGLE and len(ids) != 1:
        raise BadBallot(_("Choose exactly one option."), code=VotingErrorCode.TOO_MANY_CHOICES)
    if rules.max_choices is not None and bt != BallotType.SINGLE and len(ids) > rules.max_choices:
        raise BadBallot(_("Choose at most %(n)s options.") % {"n": rules.max_choices},
                        code=VotingErrorCode.TOO_MANY_CHOICES)
    if bt == BallotType.KNAPSACK:
        cost = sum(rules.option_costs.get(i, 0) for i in ids)
        if rules.budget_limit is not None and cost > rules.budget_limit:
            raise BadBallot(_("The chosen projects cost %(cost)s won; the budget is %(limit)s won.")
                            % {"cost": f"{cost:,}", "limit": f"{rules.budget_limit:,}"},
                            code=VotingErrorCode.OVER_BUDGET, cost=cost, budget_limit=rules.budget_limit)
    if bt == BallotType.RANKING:
        return ids  # order matters: best first
    return sorted(ids)


# --- casting -------------------------------------------------------------------------------------


def _is_lock_error(exc: OperationalError) -> bool:
    text = str(exc).lower()
    return any(m in text for m in ("locked", "deadlock", "could not serialize", "too many clients",
                                   "remaining connection slots"))




def ballot_cast(
    *,
    vote_id: int,
    voter: User,
    choices: Sequence[int] | Mapping[int, int],
    location: tuple[float, float] | None = None,
    password: str | None = None,
) -> Receipt:
    """Checks eligibility and the ballot, queues it (accepted: one short transaction), and
    returns the receipt once the sequencer has integrated it into the vote's log (group commit:
    see `voting.sequencer`). One current ballot per person per vote: in a vote that allows no
    change the nullifier is unique in the queue; a vote that allows changes supersedes the old
    ballot with a new leaf, in arrival order."""
    rules, nullifier, canonical, district = _checked_ballot(vote_id, voter, choices, location, password)
    if sequencer.one_writer() and not connection.in_atomic_block:
        # SQLite admits one writer at a time, and its busy wait sleeps: queue and integrate in one
        # transaction under the sequencer lock, whose waiters the kernel wakes in turn
        with sequencer.sequencer_lock(vote_id), transaction.atomic():
            return _receipt_through_batches(vote_id, _accept(rules, nullifier, canonical, district))
    queue_id = _accept(rules, nullifier, canonical, district)
    return _receipt_when_integrated(vote_id, queue_id)


def ballot_queue(
    *,
    vote_id: int,
    voter: User,
    choices: Sequence[int] | Mapping[int, int],
    location: tuple[float, float] | None = None,
    password: str | None = None,
) -> int:
    """Accepts a ballot into the vote's queue without waiting for the log (the first half of
    `ballot_cast`); returns its queue id. The sequencer integrates it."""
    return _accept(*_checked_ballot(vote_id, voter, choices, location, password))


def _checked_ballot(
    vote_id: int, voter: User, choices: Sequence[int] | Mapping[int, int],
    location: tuple[float, float] | None, password: str | None,
) -> tuple[VoteRules, str, list[int] | dict[str, int], str | None]:
    """The vote's rules, the voter's nullifier, the canonical choices and the voter's district,
    once eligibility and the ballot are checked."""
    rules = vote_rules(vote_id)
    if not rules.public:  # a vote nobody may see yet answers as no vote at all, to everyone
        raise VoteNotFound(f"No vote {vote_id}.")
    district = check_eligibility(rules, voter, location=location, password=password)
    canonical = normalise_choices(rules, choices)
    return rules, identity_hash("vote", str(vote_id), str(voter.pk)), canonical, district


def _retry_pause(attempt: int) -> None:
    """A short, growing, jittered pause before retrying a locked database."""
    time.sleep(min(0.5, 0.005 * (attempt + 1)) * (0.5 + random.random()))  # noqa: S311  (retry jitter, not a secret)


def _accept(rules: VoteRules, nullifier: str, choices: list[int] | dict[str, int], district: str | None) -> int:
    for attempt in range(LOCK_RETRIES):
        now = clock.now()
        if not rules.opens_at <= now < rules.closes_at:
            raise VoteClosed(_("This vote is not open now."), opens_at=rules.opens_at.isoformat(),
                             closes_at=rules.closes_at.isoformat())
        try:
            own_transaction = not connection.in_atomic_block
            with transaction.atomic():  # a savepoint inside a caller's transaction, else one commit
                queue_id = sequencer.enqueue(vote_id=rules.id, nullifier=nullifier, choices=choices,
                                             district=district, exclusive=not rules.allow_change, now=now,
                                             status=Status.PUBLISHED, flush_later=own_transaction)
        except IntegrityError as exc:
            raise AlreadyVoted(_("You have already voted in this vote.")) from exc
        except OperationalError as exc:  # SQLite "database is locked", PostgreSQL exhausted connection slots
            if not _is_lock_error(exc) or attempt == LOCK_RETRIES - 1:
                raise LogBusy(_("The ballot box is busy; please try again.")) from exc
            _retry_pause(attempt)
            continue
        if queue_id is None:
            raise VoteClosed(_("This vote is not open now."), opens_at=rules.opens_at.isoformat(),
                             closes_at=rules.closes_at.isoformat())
        return queue_id
    raise LogBusy(_("The ballot box is busy; please try again."))


def _receipt_when_integrated(vote_id: int, queue_id: int) -> Receipt:
    """Group commit: the first request to find the sequencer free integrates everything queued
    for the vote; the others wait for that batch and read their place in it."""
    if connection.in_atomic_block:  # the queued row is visible to this transaction only
        sequencer.transaction_lock(vote_id)
        return _receipt_through_batches(vote_id, queue_id)
    for attempt in range(LOCK_RETRIES):
        try:
            return _integrated_receipt(vote_id, queue_id)
        except OperationalError as exc:
            if not _is_lock_error(exc) or attempt == LOCK_RETRIES - 1:
                raise
            _retry_pause(attempt)
    # accepted and queued: the sequencer command integrates it; the person finds it in "my
    # ballots" and must not vote again
    raise LogBusy(_("Your ballot is accepted and waits to be added to the log; find its receipt among "
                    "your ballots in a minute."))


def _integrated_receipt(vote_id: int, queue_id: int) -> Receipt:
    """Becomes the sequencer at once if nobody is (and integrates everything queued); else waits
    for the batch being integrated and looks for the ballot in it; else queues for the sequencer
    lock (in the kernel's or PostgreSQL's queue, never a retry loop) and integrates the next
    batch, unless a holder before it already did."""
    if sequencer.try_lock(vote_id):
        try:
            with transaction.atomic():
                return _receipt_through_batches(vote_id, queue_id)
        finally:
            sequencer.unlock(vote_id)
    sequencer.wait_for_sequencer(vote_id)
    if (found := sequencer.integrated(queue_id)) is not None:
        return _receipt_from_row(*found)
    with sequencer.sequencer_lock(vote_id), transaction.atomic():
        return _receipt_through_batches(vote_id, queue_id)


def _receipt_through_batches(vote_id: int, queue_id: int) -> Receipt:
    """Integrates queued ballots of the vote until this one is in the log, and its receipt. The
    caller holds the sequencer lock and a transaction; a ballot an earlier holder integrated is
    read from the log."""
    while (batch := sequencer.integrate(vote_id)) is not None:
        if queue_id in batch.ballots:
            return _receipt_from_batch(batch, batch.ballots[queue_id])
    return _receipt_from_log(queue_id)


def _receipt_from_batch(batch: sequencer.Batch, mine: sequencer.Integrated) -> Receipt:
    return Receipt(
        vote_id=batch.vote_id, tracker=mine.tracker, leaf_index=mine.seq, leaf=mine.leaf,
        leaf_hash=mine.leaf_hash.hex(), tree_size=batch.size, inclusion_proof=[p.hex() for p in mine.proof],
        checkpoint=batch.note, origin=ledger.origin(batch.vote_id), verifier_key=str(ledger.verifier_key()),
    )


def _receipt_from_row(vote_id: int, seq: int, leaf: str, tracker: str, size: int, frontier: bytes) -> Receipt:
    """A receipt against the log head read with the ballot: its checkpoint is the one the head's
    batch signed (Ed25519 signatures are deterministic, so it is the same note byte for byte)."""
    root = merkle.root_from_frontier(ledger.split_frontier(frontier))
    groups = merkle.inclusion_coords(seq, size)
    get = selectors._node_getter(vote_id, (c for g in groups for c in g))
    proof = merkle.inclusion_proof(seq, size, get)
    return Receipt(
        vote_id=vote_id, tracker=tracker, leaf_index=seq, leaf=leaf,
        leaf_hash=merkle.leaf_hash(leaf.encode()).hex(), tree_size=size, inclusion_proof=[p.hex() for p in proof],
        checkpoint=ledger.sign(vote_id, size, root), origin=ledger.origin(vote_id),
        verifier_key=str(ledger.verifier_key()),
    )


def _receipt_from_log(queue_id: int) -> Receipt:
    found = sequencer.integrated(queue_id)
    if found is None:
        raise LogBusy(_("The ballot box is busy; please try again."))
    return _receipt_from_row(*found)


def _store_checkpoint(vote_id: int, size: int, root: bytes, now: datetime) -> Checkpoint:
    return Checkpoint.objects.create(vote_id=vote_id, size=size, root=root, note=ledger.sign(vote_id, size, root),
                                     created_at=now)


def _schedule_checkpoint(vote_id: int, last: datetime) -> bool:
    """Asks the worker to sign a checkpoint when the interval has passed (ballots that arrive
    and then stop still get one within ~10 s). Only backends that can defer are asked."""
    from django_tasks import default_task_backend

    from .tasks import sign_due_checkpoint

    if not default_task_backend.supports_defer:
        return False
    run_after = last + timedelta(seconds=ledger.CHECKPOINT_INTERVAL_SECONDS)
    transaction.on_commit(lambda: sign_due_checkpoint.using(run_after=run_after).enqueue(vote_id))
    return True


@transaction.atomic
def checkpoint_sign(*, vote_id: int) -> Checkpoint | None:
    """Signs and publishes a checkpoint of the log's current size, if it grew since the last."""
    vote = _lock_vote(vote_id, no_key=True)
    if vote.last_checkpoint_size == vote.log_size and vote.last_checkpoint_size is not None:
        Vote.objects.filter(pk=vote_id).update(checkpoint_scheduled=False)
        return None
    now = clock.now()
    root = merkle.root_from_frontier(ledger.split_frontier(bytes(vote.log_frontier)))
    cp = _store_checkpoint(vote_id, vote.log_size, root, now)
    Vote.objects.filter(pk=vote_id).update(last_checkpoint_at=now, last_checkpoint_size=vote.log_size,
                                          checkpoint_scheduled=False)
    return cp


def checkpoints_sign_due() -> int:
    """Signs a checkpoint for every open vote whose log grew (the worker's sweep)."""
    from django.db.models import F, Q

    ids = list(
        Vote.objects.filter(status=Status.PUBLISHED)
        .filter(Q(last_checkpoint_size=None) | ~Q(last_checkpoint_size=F("log_size")))
        .values_list("pk", flat=True)
    )
    return sum(1 for pk in ids if checkpoint_sign(vote_id=pk) is not None)


# --- closing -----------------------------------------------------------------------------------------


@transaction.atomic
def vote_close(*, vote_id: int, actor: User | None) -> dict[str, Any]:
    """Closes the vote: no more ballots, a final signed checkpoint, results frozen and public.
    `actor=None` is the system closing a vote whose time has run out."""
    from .selectors import tally

    vote = _lock_vote(vote_id)
    if actor is not None and not _may_manage(vote, actor):
        raise NotOwner(_("Only the vote's owner closes it."))
    if actor is None and vote.closes_at > clock.now():
        raise VoteClosed(_("The vote is still running."))
    if vote.status == Status.CLOSED:
        return _results_from_json(vote.results or {})
    if vote.status not in (Status.PUBLISHED, Status.DRAFT, Status.REVIEW):
        raise VoteNotEditable(_("This vote cannot be closed."))
    if sequencer.drain(vote.pk):  # every accepted ballot is counted: the row lock holds new ones back
        vote.refresh_from_db()
    now = clock.now()
    root = merkle.root_from_frontier(ledger.split_frontier(bytes(vote.log_frontier)))
    if vote.last_checkpoint_size != vote.log_size:
        _store_checkpoint(vote.pk, vote.log_size, root, now)
    results = tally(vote)
    results["status"] = Status.CLOSED.value
    results["log"] = {"size": vote.log_size, "root": root.hex(), "origin": ledger.origin(vote.pk)}
    vote.status = Status.CLOSED
    vote.closed_at = now
    vote.results = results
    vote.last_checkpoint_size = vote.log_size
    vote.last_checkpoint_at = now
    vote.save(update_fields=["status", "closed_at", "results", "last_checkpoint_size", "last_checkpoint_at"])
    audit_record(actor=actor, action="voting.vote_close", target=vote,
                 details={"ballots": results["total_ballots"], "log_size": vote.log_size})
    return _results_from_json(results)


def _results_from_json(results: Mapping[str, Any]) -> dict[str, Any]:
    """Results as stored are JSON (string keys); the contract gives option ids as ints."""
    out = dict(results)
    out["by_district"] = {
        code: {int(k): v for k, v in counts.items()} for code, counts in (results.get("by_district") or {}).items()
    }
    return out


def votes_close_due() -> int:
    """Closes every published vote whose closing time has passed (the daily/worker sweep)."""
    ids = list(Vote.objects.filter(status=Status.PUBLISHED, closes_at__lte=clock.now()).values_list("pk", flat=True))
    for pk in ids:
        vote_close(vote_id=pk, actor=None)
    return len(ids)
