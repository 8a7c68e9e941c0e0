"""Reads of the voting module: votes, results, current ballots, and the public log.

Contract used by other modules (budget): `vote_results`, `current_ballots`,
`vote_option_ids_by_key` (see docs/voting.md).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from smartseoul.core import clock
from smartseoul.lib import merkle

from . import ledger
from .errors import BadProofRequest, ReceiptNotFound, VoteNotFound, VotingError, VotingErrorCode
from .models import Ballot, BallotType, Checkpoint, Kind, LogNode, Option, Status, TargetType, Vote

if TYPE_CHECKING:
    from smartseoul.accounts.models import User

MAX_LEAVES_PAGE = 1000


# --- votes ---------------------------------------------------------------------------------------


def vote_get(vote_id: int) -> Vote:
    try:
        return Vote.objects.select_related("owner").get(pk=vote_id)
    except (Vote.DoesNotExist, ValueError, TypeError) as exc:
        raise VoteNotFound(f"No vote {vote_id}.") from exc


def public_status(vote: Vote) -> str:
    """What citizens see: draft, review, rejected, scheduled, open, ended (awaiting close), closed."""
    if vote.status != Status.PUBLISHED:
        return str(vote.status)
    now = clock.now()
    if now < vote.opens_at:
        return "scheduled"
    if now >= vote.closes_at:
        return "ended"
    return "open"


def votes_public() -> QuerySet[Vote]:
    """Votes anyone may see listed: published (scheduled, open, ended) and closed."""
    return Vote.objects.filter(status__in=[Status.PUBLISHED, Status.CLOSED]).prefetch_related("options")


def votes_open() -> QuerySet[Vote]:
    now = clock.now()
    return votes_public().filter(status=Status.PUBLISHED, opens_at__lte=now, closes_at__gt=now).order_by("closes_at")


def votes_closed() -> QuerySet[Vote]:
    return Vote.objects.filter(status=Status.CLOSED).order_by("-closed_at")


def can_run_votes(user: Any) -> bool:
    """Who may open the officials' vote pages (their views and the back-office tile ask this)."""
    return bool(user is not None and user.is_authenticated and user.acts_as_staff)


def votes_owned(user: User) -> QuerySet[Vote]:
    qs = Vote.objects.all() if user.is_city_admin else Vote.objects.filter(owner=user)
    return qs.order_by("-created_at")


def votes_for_moderation() -> QuerySet[Vote]:
    return Vote.objects.filter(status=Status.REVIEW).order_by("created_at")


def options(vote_id: int) -> list[Option]:
    return list(Option.objects.filter(vote_id=vote_id).order_by("position"))


def vote_option_ids_by_key(vote_id: int) -> dict[str, int]:
    return dict(Option.objects.filter(vote_id=vote_id).exclude(key="").values_list("key", "pk"))


def district_list(codes: Iterable[str]) -> str:
    """District names in the active language, for sentences people read ("종로구, 중구")."""
    from smartseoul.core.selectors import districts

    wanted = list(codes)
    names = {d.code: d.name for d in districts().filter(code__in=wanted)}
    return ", ".join(names.get(code, code) for code in wanted)


def eligibility(vote: Vote, user: User | None, *, location: tuple[float, float] | None = None) -> tuple[bool, str, str]:
    """(eligible, code, message) for pages: explains without casting, in the active language
    (never raises for a person who may not vote). Location and password are checked at casting
    time (they cannot be known here)."""
    from .services import check_eligibility, vote_rules

    if user is None or not user.is_authenticated:
        return False, VotingErrorCode.VERIFICATION_REQUIRED.value, _("Sign in to vote.")
    rules = vote_rules(vote.pk)
    if rules.target_type in (TargetType.GEOFENCE, TargetType.PASSWORD) and location is None:
        rules = _without(rules)
    try:
        check_eligibility(rules, user, location=location)
    except VotingError as exc:
        return False, exc.code, exc.message
    return True, "", ""


def _without(rules: Any) -> Any:
    from dataclasses import replace

    return replace(rules, target_type=TargetType.EVERYONE)


def my_ballot(vote_id: int, user: User) -> Ballot | None:
    from smartseoul.accounts.services import identity_hash

    if not user.is_authenticated:
        return None
    nullifier = identity_hash("vote", str(vote_id), str(user.pk))
    return Ballot.objects.filter(vote_id=vote_id, nullifier=nullifier, current=True).first()


def my_ballots(user: User) -> list[Ballot]:
    """Every ballot this person cast (current and superseded), newest first, with its vote.
    Ballots name no one: the person's nullifier of each public vote is recomputed and looked up."""
    from smartseoul.accounts.services import identity_hash

    if not user.is_authenticated:
        return []
    vote_ids = Vote.objects.filter(status__in=[Status.PUBLISHED, Status.CLOSED], log_size__gt=0).values_list(
        "pk", flat=True)
    nullifiers = [identity_hash("vote", str(pk), str(user.pk)) for pk in vote_ids.iterator()]
    found: list[Ballot] = []
    for start in range(0, len(nullifiers), 500):
        found += Ballot.objects.filter(nullifier__in=nullifiers[start:start + 500]).select_related("vote")
    return sorted(found, key=lambda b: (b.cast_at, b.seq), reverse=True)


def normalise_tracker(text: str) -> str:
    """A tracker code as people type or paste it (spaces, no dashes, lower case) → ABCD-EFGH-IJKL-MNOP."""
    code = "".join(ch for ch in (text or "").upper() if ch.isalnum())
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


# --- results -------------------------------------------------------------------------------------


def current_ballots(vote_id: int) -> Iterator[dict[str, Any]]:
    """Each counted (non-superseded) ballot: {"nullifier", "choices", "district_code"}.
    Choices are option ids (ranking: best first) or {option id: points}."""
    rows = (
        Ballot.objects.filter(vote_id=vote_id, current=True).order_by("seq")
        .values_list("nullifier", "choices", "district_code")
    )
    for nullifier, choices, district in rows.iterator(chunk_size=5000):
        if isinstance(choices, dict):
            choices = {int(k): int(v) for k, v in choices.items()}
        yield {"nullifier": nullifier, "choices": choices, "district_code": district}


def tally_ballots(
    ballot_type: str, option_rows: Iterable[tuple[int, str, str]], ballots: Iterable[tuple[Any, str | None]]
) -> dict[str, Any]:
    """Counts ballots (choices, district) for options (id, key, text). Pure: the ledger verifier
    re-tallies the leaves with this same function.

    count: ballots choosing the option (ranking: first preferences; points: ballots giving it
    points). points: the same as count, except ranking (Borda: n−1 for first … 0 for last of
    n options) and points ballots (points given). share: count / ballots, except ranking and
    points ballots, where share = points / all points.
    """
    opts = list(option_rows)
    n = len(opts)
    count: Counter[int] = Counter()
    points: Counter[int] = Counter()
    by_district: dict[str, Counter[int]] = defaultdict(Counter)
    total = 0
    if ballot_type in (BallotType.POINTS, BallotType.RANKING):
        for choices, district in ballots:
            total += 1
            if ballot_type == BallotType.POINTS:
                chosen = [(int(k), int(v)) for k, v in dict(choices).items() if int(v) > 0]
                for oid, pts in chosen:
                    points[oid] += pts
                counted = [oid for oid, _ in chosen]
            else:
                ranked = [int(c) for c in choices]
                for pos, oid in enumerate(ranked):
                    points[oid] += n - 1 - pos
                counted = ranked[:1]
            count.update(counted)
            if district:
                by_district[district].update(counted)
    else:  # the hot path of large votes: collect, then count once in C
        flat: list[int] = []
        flat_by_district: dict[str, list[int]] = defaultdict(list)
        for choices, district in ballots:
            total += 1
            flat.extend(choices)
            if district:
                flat_by_district[district].extend(choices)
        count = Counter(flat)
        by_district.update((code, Counter(items)) for code, items in flat_by_district.items())
        points = count
    weighted = ballot_type in (BallotType.POINTS, BallotType.RANKING)
    all_points = sum(points.values())
    out_options = []
    for oid, key, text in opts:
        numerator, denominator = (points[oid], all_points) if weighted else (count[oid], total)
        share = numerator / denominator if denominator else 0.0
        out_options.append({"id": oid, "key": key, "text": text, "count": count[oid], "share": round(share, 6),
                            "points": points[oid]})
    return {
        "total_ballots": total,
        "options": out_options,
        "by_district": {code: dict(sorted(c.items())) for code, c in sorted(by_district.items())},
    }


def tally(vote: Vote) -> dict[str, Any]:
    rows = Option.objects.filter(vote=vote).order_by("position").values_list("pk", "key", "text")
    ballots = ((b["choices"], b["district_code"]) for b in current_ballots(vote.pk))
    result = tally_ballots(vote.ballot_type, rows, ballots)
    return {"vote_id": vote.pk, "status": public_status(vote), **result}


def vote_results(vote_id: int) -> dict[str, Any]:
    """{"vote_id", "status", "total_ballots", "options": [{"id", "key", "text", "count", "share",
    "points"}], "by_district": {code: {option_id: count}}} — frozen at close, live before.
    Visibility (live results allowed or not) is the caller's concern: see `results_visible`."""
    from .services import _results_from_json

    vote = vote_get(vote_id)
    if vote.status == Status.CLOSED and vote.results is not None:
        return _results_from_json(vote.results)
    return tally(vote)


def is_owner(vote: Vote, user: Any) -> bool:
    """The vote's owner, acting with the permissions that made it (a staff owner after the second factor)."""
    return bool(
        user is not None and user.is_authenticated and vote.owner_id == user.pk and user.staff_permissions_active
    )


def results_visible(vote: Vote, user: User | None) -> bool:
    if vote.status == Status.CLOSED or vote.live_results:
        return True
    return bool(user is not None and user.is_authenticated and (is_owner(vote, user) or user.is_city_admin))


def live_results_cached(vote: Vote) -> dict[str, Any]:
    """Results for pages and widgets: closed ones frozen, live ones cached for 30 s."""
    from django.core.cache import cache

    if vote.status == Status.CLOSED:
        return vote_results(vote.pk)
    key = f"voting:results:{vote.pk}:{vote.log_size}"
    hit = cache.get(key)
    if hit is None:
        hit = tally(vote)
        cache.set(key, hit, 30)
    return hit


def participation_by_kind() -> dict[str, int]:
    return {k: Vote.objects.filter(kind=k, status__in=[Status.PUBLISHED, Status.CLOSED]).count() for k in Kind.values}


# --- the public log -----------------------------------------------------------------------------


def _node_getter(vote_id: int, coords: Iterable[tuple[int, int]]) -> merkle.GetNode:
    wanted = set(coords)
    found: dict[tuple[int, int], bytes] = {}
    if wanted:
        by_level: dict[int, list[int]] = defaultdict(list)
        for level, index in wanted:
            by_level[level].append(index)
        from django.db import connection

        qn = connection.ops.quote_name
        terms, params = [], []
        for level, indexes in by_level.items():  # each term uses the (tree, level, index) unique index
            terms.append(f"(tree_id = %s AND level = %s AND {qn('index')} IN ({', '.join(['%s'] * len(indexes))}))")
            params += [vote_id, level, *indexes]
        with connection.cursor() as cur:
            cur.execute(f"SELECT level, {qn('index')}, hash FROM {qn(LogNode._meta.db_table)} WHERE "  # noqa: S608  (table and column names from model metadata, quoted; values bound)
                        + " OR ".join(terms), params)
            for level, index, h in cur.fetchall():
                found[(int(level), int(index))] = bytes(h)

    def get(level: int, index: int) -> bytes:
        try:
            return found[(level, index)]
        except KeyError as exc:
            raise VotingError(f"The log is missing node ({level}, {index}).", code="log_corrupt", status=500) from exc

    return get


def log_size(vote_id: int) -> int:
    size = Vote.objects.filter(pk=vote_id).values_list("log_size", flat=True).first()
    if size is None:
        raise VoteNotFound(f"No vote {vote_id}.")
    return int(size)


def inclusion_proof(vote_id: int, index: int, size: int) -> list[bytes]:
    if not 0 < size <= log_size(vote_id):
        raise BadProofRequest("No tree of that size.")
    try:
        groups = merkle.inclusion_coords(index, size)
    except merkle.ProofError as exc:
        raise BadProofRequest(str(exc)) from exc
    get = _node_getter(vote_id, (c for g in groups for c in g))
    return merkle.inclusion_proof(index, size, get)


def consistency_proof(vote_id: int, first: int, second: int) -> list[bytes]:
    if not 0 < first <= second <= log_size(vote_id):
        raise BadProofRequest("A consistency proof needs 0 < first ≤ second ≤ the log size.")
    groups = merkle.consistency_coords(first, second)
    get = _node_getter(vote_id, (c for g in groups for c in g))
    return merkle.consistency_proof(first, second, get)


def subtree_hash(vote_id: int, start: int, end: int) -> bytes:
    """MTH of leaves [start, end) for ranges the RFC recursion produces (start a multiple of
    the smallest power of two ≥ end − start): lets a verifier descend to the first bad leaf."""
    if not 0 <= start < end <= log_size(vote_id):
        raise BadProofRequest("Bad range.")
    width = 1 << (end - start - 1).bit_length()
    if start % width:
        raise BadProofRequest("The range must start at a multiple of its power-of-two width.")
    coords = merkle.subtree_coords(start, end)
    get = _node_getter(vote_id, coords)
    return merkle.fold([get(lv, ix) for lv, ix in coords])


def root_at(vote_id: int, size: int) -> bytes:
    coords = merkle.subtree_coords(0, size)
    get = _node_getter(vote_id, coords)
    return merkle.root_at(size, get)


def checkpoints(vote_id: int) -> QuerySet[Checkpoint]:
    return Checkpoint.objects.filter(vote_id=vote_id).order_by("size")


def checkpoint_latest(vote_id: int) -> Checkpoint | None:
    return Checkpoint.objects.filter(vote_id=vote_id).order_by("-size").first()


def leaves(vote_id: int, start: int = 0, limit: int = 100) -> list[dict[str, Any]]:
    limit = max(1, min(limit, MAX_LEAVES_PAGE))
    rows = Ballot.objects.filter(vote_id=vote_id, seq__gte=start).order_by("seq")[:limit]
    return [{"index": seq, "leaf": leaf} for seq, leaf in rows.values_list("seq", "leaf")]


def leaf_rows(vote_id: int, start: int, limit: int) -> list[tuple[int, str]]:
    """(index, leaf) of up to `limit` leaves from `start`, in index order: the verifier's bulk
    read, one statement per page fetched whole (no model or dict per row)."""
    qn = connection.ops.quote_name
    with connection.cursor() as cur:
        cur.execute(f"SELECT seq, leaf FROM {qn(Ballot._meta.db_table)} WHERE vote_id = %s AND seq >= %s "  # noqa: S608  (table name from model metadata, quoted; values bound)
                    "ORDER BY seq LIMIT %s", [vote_id, start, limit])
        return cur.fetchall()


def receipt_status(tracker: str) -> dict[str, Any]:
    """A fresh proof for a tracker code against the latest published checkpoint (or the
    log's current size signed on the fly when no checkpoint covers the leaf yet)."""
    tracker = normalise_tracker(tracker)
    ballot = Ballot.objects.filter(tracker=tracker).values("vote_id", "seq", "leaf", "current",
                                                           "superseded_by").first()
    if ballot is None:
        raise ReceiptNotFound(_("No ballot has that tracker code."))
    vote_id, seq = ballot["vote_id"], ballot["seq"]
    cp = checkpoint_latest(vote_id)
    if cp is None or cp.size <= seq:
        size = log_size(vote_id)
        note = ledger.sign(vote_id, size, root_at(vote_id, size))
    else:
        size, note = cp.size, cp.note
    return {
        "vote_id": vote_id, "tracker": tracker, "leaf_index": seq, "leaf": ballot["leaf"],
        "leaf_hash": merkle.leaf_hash(ballot["leaf"].encode()).hex(), "tree_size": size,
        "inclusion_proof": [h.hex() for h in inclusion_proof(vote_id, seq, size)], "checkpoint": note,
        "origin": ledger.origin(vote_id), "verifier_key": str(ledger.verifier_key()),
        "current": ballot["current"], "superseded_by": ballot["superseded_by"],
    }


def log_public_key() -> dict[str, str]:
    vk = ledger.verifier_key()
    return {"name": vk.name, "verifier_key": str(vk), "key_id": vk.key_id.hex(),
            "public_key": vk.public_key.hex()}


def results_export_rows() -> Iterator[Mapping[str, Any]]:
    """Open data: one row per option of every closed vote (no personal data)."""
    for vote in Vote.objects.filter(status=Status.CLOSED).order_by("closed_at").only(
        "pk", "title", "kind", "owner_body", "ballot_type", "closed_at", "results", "log_size"
    ):
        results = vote.results or {}
        for o in results.get("options", []):
            yield {
                "vote_id": vote.pk, "vote_title": vote.title, "kind": vote.kind, "owner_body": vote.owner_body,
                "ballot_type": vote.ballot_type, "closed_at": vote.closed_at.isoformat() if vote.closed_at else None,
                "option_id": o["id"], "option_text": o["text"], "count": o["count"], "points": o["points"],
                "share": o["share"], "total_ballots": results.get("total_ballots", 0),
                "log_size": vote.log_size, "log_root": (results.get("log") or {}).get("root", ""),
            }


def site_search_hits(query: str, user: Any, limit: int) -> list[Any]:
    """The votes whose question or explanation holds every word: the voting part of the site-wide
    search. Only votes anyone may see listed (published or closed), newest first."""
    from django.db.models import Q
    from django.urls import reverse
    from django.utils import timezone

    from smartseoul.core.registry import SearchHit

    words = query.split()
    if not words:
        return []
    qs = votes_public()
    for w in words:
        qs = qs.filter(Q(title__icontains=w) | Q(description__icontains=w))
    return [SearchHit(title=v.title, url=reverse("voting:detail", args=[v.pk]),
                      summary=_("%(kind)s · closes %(date)s") % {
                          "kind": v.get_kind_display(), "date": timezone.localtime(v.closes_at).strftime("%Y-%m-%d")})
            for v in qs.order_by("-opens_at")[:limit]]
