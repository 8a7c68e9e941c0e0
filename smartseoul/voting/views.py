"""mVoting pages: open votes near me / for me, a vote, casting, the receipt, results, and the
owners' pages (create, preview, schedule, close) and moderation."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smartseoul.core import ratelimit
from smartseoul.core.errors import DomainError
from smartseoul.lib.geo import haversine_m
from smartseoul.lib.money import krw_text

from . import ledger, selectors, services
from .errors import NotOwner, ResultsHidden, VoteNotFound, VotingErrorCode
from .forms import VoteForm
from .models import BallotType, Kind, Status, TargetType, Vote

PUBLIC_STATUS = {
    "draft": gettext_lazy("draft"),
    "review": gettext_lazy("awaiting moderation"),
    "rejected": gettext_lazy("rejected"),
    "scheduled": gettext_lazy("not open yet"),
    "open": gettext_lazy("open"),
    "ended": gettext_lazy("ended, being counted"),
    "closed": gettext_lazy("closed"),
}
FRESH_RECEIPT_KEY = "voting:fresh-receipt"


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


def _visible(request: HttpRequest, vote_id: int) -> Vote:
    vote = selectors.vote_get(vote_id)
    if vote.status in (Status.PUBLISHED, Status.CLOSED):
        return vote
    user = request.user
    if user.is_authenticated and (selectors.is_owner(vote, user) or user.is_official):  # type: ignore[union-attr]
        return vote
    raise VoteNotFound(_("No such vote."))


def _standing(request: HttpRequest, vote: Vote) -> dict[str, Any]:
    """Where this person stands with the vote, for the list and the vote page: `state` is
    signed-out, voted, can-vote, action (a verification they can do now, linked) or
    not-for-you (with the reason, e.g. only residents of another district)."""
    user: Any = request.user
    here = reverse("voting:detail", args=[vote.pk])
    if not user.is_authenticated:
        return {"state": "signed-out", "code": "", "reason": "",
                "action_url": f"{reverse('accounts:login')}?next={here}", "action_label": _("Sign in to vote")}
    mine = selectors.my_ballot(vote.pk, user)
    ok, code, reason = selectors.eligibility(vote, user)
    standing: dict[str, Any] = {"state": "can-vote" if ok else "not-for-you", "code": code, "reason": reason,
                                "action_url": "", "action_label": "", "mine": mine}
    if mine is not None:
        standing["state"] = "voted"
    elif code == VotingErrorCode.VERIFICATION_REQUIRED:
        standing.update(state="action", action_url=f"{reverse('accounts:phone')}?next={here}",
                        action_label=_("Verify your phone to vote"))
    elif code == VotingErrorCode.RESIDENT_REQUIRED:
        standing.update(state="action", action_url=f"{reverse('accounts:resident')}?next={here}",
                        action_label=_("Verify your residence to vote"))
    return standing


@require_GET
def vote_list(request: HttpRequest) -> HttpResponse:
    lat, lon = _float(request.GET.get("lat")), _float(request.GET.get("lon"))
    only_mine = request.GET.get("for") == "me"
    rows = []
    for vote in selectors.votes_open():
        standing = _standing(request, vote)
        distance = None
        if vote.geofence and "circle" in vote.geofence and lat is not None and lon is not None:
            c = vote.geofence["circle"]
            distance = round(haversine_m(lat, lon, c["lat"], c["lon"]))
        if only_mine and standing["state"] not in ("can-vote", "voted"):
            continue
        rows.append({"vote": vote, "standing": standing, "distance": distance,
                     "districts": selectors.district_list(vote.target_codes or [])})
    if lat is not None and lon is not None:
        rows.sort(key=lambda r: (r["distance"] is None, r["distance"] or 0))
    return render(request, "voting/list.html", {
        "rows": rows, "only_mine": only_mine, "near": lat is not None,
        "closed": selectors.votes_closed()[:10],
    })


@require_GET
def vote_detail(request: HttpRequest, vote_id: int) -> HttpResponse:
    vote = _visible(request, vote_id)
    standing = _standing(request, vote)
    status = selectors.public_status(vote)
    results = selectors.live_results_cached(vote) if selectors.results_visible(vote, request.user) else None  # type: ignore[arg-type]
    language = get_language() or "ko"
    options = selectors.options(vote.pk)
    for o in options:
        o.cost_label = krw_text(o.cost, language) if o.cost is not None else ""  # type: ignore[attr-defined]
    return render(request, "voting/detail.html", {
        "vote": vote, "options": options, "status": status,
        "budget_limit": krw_text(vote.budget_limit, language) if vote.budget_limit else "",
        "status_label": PUBLIC_STATUS.get(status, status), "standing": standing, "mine": standing.get("mine"),
        "districts": selectors.district_list(vote.target_codes or []), "results": results,
        "needs_location": vote.target_type == TargetType.GEOFENCE,
        "needs_password": vote.target_type == TargetType.PASSWORD,
        "input_type": "radio" if vote.ballot_type == BallotType.SINGLE else "checkbox",
        "location_text": {"asking": _("Finding your location…"),
                          "unavailable": _("Your browser cannot share a location; this vote needs it."),
                          "denied": _("This on-spot vote needs your location. Allow it in your browser and try "
                                      "again.")},
    })


def _choices_from_post(request: HttpRequest, vote: Vote) -> list[int] | dict[int, int]:
    if vote.ballot_type == BallotType.POINTS:
        points: dict[int, int] = {}
        for key in request.POST:
            value = request.POST.get(key, "")
            if key.startswith("points_") and value.strip():
                try:
                    points[int(key[7:])] = int(value)
                except ValueError:
                    points[-1] = -1
        return points
    if vote.ballot_type == BallotType.RANKING:
        ranked: list[tuple[int, int]] = []
        for key in request.POST:
            value = request.POST.get(key, "")
            if key.startswith("rank_") and value.strip():
                try:
                    ranked.append((int(value), int(key[5:])))
                except ValueError:
                    ranked.append((0, -1))
        return [oid for _rank, oid in sorted(ranked)]
    out: list[int] = []
    for value in request.POST.getlist("choice"):
        try:
            out.append(int(value))
        except ValueError:
            out.append(-1)
    return out


@login_required
@require_POST
def vote_cast(request: HttpRequest, vote_id: int) -> HttpResponse:
    """Casts, then redirects to the ballot's receipt page (post/redirect/get: a reload of the
    receipt sends nothing again)."""
    vote = _visible(request, vote_id)
    ratelimit.hit(f"vote-cast:{request.user.pk}", limit=60, window_seconds=60)
    lat, lon = _float(request.POST.get("lat")), _float(request.POST.get("lon"))
    try:
        receipt = services.ballot_cast(
            vote_id=vote.pk, voter=request.user, choices=_choices_from_post(request, vote),  # type: ignore[arg-type]
            location=(lat, lon) if lat is not None and lon is not None else None,
            password=request.POST.get("password") or None,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("voting:detail", vote_id=vote.pk)
    request.session[FRESH_RECEIPT_KEY] = receipt.tracker
    return redirect(f"{reverse('voting:receipt')}?{urlencode({'tracker': receipt.tracker})}")


def _receipt_i18n() -> dict[str, str]:
    return {
        "ok": _("verified"), "failed": _("check failed"), "json": _("receipt format"),
        "leaf": _("your ballot (leaf hash)"),
        "key": _("the city's log key"), "signature": _("checkpoint signature"), "inclusion": _("inclusion proof"),
        "newer": _("newest checkpoint"), "size": _("log size %(n)s"), "consistent": _("consistent with it"),
        "superseded": _("replaced by your later ballot (leaf %(n)s)"),
        "all": _("The receipt verifies: your ballot is in the log and the log has only grown since."),
        "bad": _("The receipt does NOT verify. Report this to the city and to an independent auditor."),
        "not_receipt": _("This is not a ballot receipt. Paste the whole receipt you saved (it starts with { and "
                         "names a tracker code), or open it by its tracker code below."),
        "empty": _("Paste a receipt or open one by its tracker code."),
    }


@require_GET
def receipt(request: HttpRequest) -> HttpResponse:
    """Paste a receipt (or open one by tracker code) and verify it in the browser."""
    tracker = selectors.normalise_tracker(request.GET.get("tracker") or "")
    receipt_json, vote, fresh = "", None, False
    if tracker:
        try:
            found = selectors.receipt_status(tracker)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            receipt_json = json.dumps(found, ensure_ascii=False, indent=1)
            vote = selectors.vote_get(found["vote_id"])
            fresh = request.session.pop(FRESH_RECEIPT_KEY, None) == found["tracker"]
    return render(request, "voting/receipt.html", {
        "receipt_json": receipt_json, "fresh": fresh, "vote": vote, "tracker": tracker,
        "key": str(ledger.verifier_key()), "i18n": _receipt_i18n(),
    })


@login_required
@require_GET
def my_receipts(request: HttpRequest) -> HttpResponse:
    """The signed-in person's ballots, each with its tracker and a link to verify its receipt."""
    return render(request, "voting/receipts.html", {"ballots": selectors.my_ballots(request.user)})  # type: ignore[arg-type]


@require_GET
def vote_results(request: HttpRequest, vote_id: int) -> HttpResponse:
    vote = _visible(request, vote_id)
    if vote.status == Status.PUBLISHED and selectors.public_status(vote) == "ended":
        services.votes_close_due()
        vote = _visible(request, vote_id)
    if not selectors.results_visible(vote, request.user):  # type: ignore[arg-type]
        raise ResultsHidden(_("Results are published when the vote closes."))
    results = selectors.live_results_cached(vote)
    from smartseoul.core.selectors import district_names

    names = district_names()
    english = (get_language() or "ko").startswith("en")
    by_district = [
        {"code": code, "name": names.get(code, {}).get("en" if english else "ko") or code,
         "counts": [counts.get(o["id"], 0) for o in results["options"]]}
        for code, counts in results["by_district"].items()
    ]
    top = max((o["share"] for o in results["options"]), default=0) or 1
    status = selectors.public_status(vote)
    return render(request, "voting/results.html", {
        "vote": vote, "results": results, "by_district": by_district, "status": status,
        "status_label": PUBLIC_STATUS.get(status, status),
        "bars": [{**o, "width": round(100 * o["share"] / top, 1), "pct": round(100 * o["share"], 1)}
                 for o in results["options"]],
    })


@require_GET
def vote_audit(request: HttpRequest, vote_id: int) -> HttpResponse:
    vote = _visible(request, vote_id)
    return render(request, "voting/audit.html", {
        "vote": vote, "checkpoints": selectors.checkpoints(vote.pk).order_by("-size")[:50],
        "key": selectors.log_public_key(),
    })


# --- owners and moderators --------------------------------------------------------------------------


def _require_office(request: HttpRequest) -> None:
    user = request.user
    if not selectors.can_run_votes(user):
        raise NotOwner(_("These pages are for officials."))


@login_required
@require_GET
def office(request: HttpRequest) -> HttpResponse:
    _require_office(request)
    return render(request, "voting/office.html", {
        "votes": selectors.votes_owned(request.user)[:100],  # type: ignore[arg-type]
        "review": selectors.votes_for_moderation()[:50],
    })


@login_required
@require_http_methods(["GET", "POST"])
def vote_new(request: HttpRequest) -> HttpResponse:
    """Officials create any kind; a phone-verified citizen asks a general question (moderated)."""
    official = request.user.is_staff_role  # type: ignore[union-attr]
    if official:
        _require_office(request)
    form = VoteForm(request.POST or None, initial={"kind": Kind.POLICY if official else Kind.GENERAL},
                    official=official)
    if request.method == "POST" and form.is_valid():
        try:
            vote = services.vote_create(owner=request.user, publish=False, **form.service_kwargs())  # type: ignore[arg-type]
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Saved as a draft. Check the preview, then schedule it."))
            return redirect("voting:manage", vote_id=vote.pk)
    return render(request, "voting/new.html", {"form": form, "official": official})


@login_required
@require_GET
def vote_manage(request: HttpRequest, vote_id: int) -> HttpResponse:
    vote = selectors.vote_get(vote_id)
    if not (selectors.is_owner(vote, request.user) or request.user.is_official):  # type: ignore[union-attr]
        raise NotOwner(_("Only the vote's owner manages it."))
    status = selectors.public_status(vote)
    options = selectors.options(vote.pk)
    for o in options:
        o.cost_label = krw_text(o.cost, get_language() or "ko") if o.cost is not None else ""  # type: ignore[attr-defined]
    return render(request, "voting/manage.html", {
        "vote": vote, "options": options, "status": status, "status_label": PUBLIC_STATUS.get(status, status),
        "can_moderate": vote.status == Status.REVIEW and request.user.is_official,  # type: ignore[union-attr]
    })


@login_required
@require_POST
def vote_action(request: HttpRequest, vote_id: int, action: str) -> HttpResponse:
    user: Any = request.user
    if user.is_staff_role:
        _require_office(request)
    try:
        if action == "publish":
            services.vote_publish(vote_id=vote_id, actor=user)
            messages.success(request, _("The vote is scheduled."))
        elif action == "close":
            services.vote_close(vote_id=vote_id, actor=user)
            messages.success(request, _("The vote is closed and its results are public."))
            return redirect("voting:results", vote_id=vote_id)
        elif action in ("approve", "reject"):
            services.vote_moderate(vote_id=vote_id, actor=user, approve=action == "approve",
                                   note=request.POST.get("note", ""))
            messages.success(request, _("Moderation saved."))
        else:
            raise VoteNotFound(_("Unknown action."))
    except DomainError as exc:
        if exc.status in (403, 404):
            raise  # a refusal is the error page, not a note on a page the actor may not open
        messages.error(request, exc.message)
    return redirect("voting:manage", vote_id=vote_id)
