"""HTML pages of the participatory budget: thin — parse, call one service or selector, render."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smartseoul.core import clock, ratelimit
from smartseoul.core.errors import CoreErrorCode, DomainError
from smartseoul.core.forms import add_domain_error
from smartseoul.core.redirects import login_url

from . import charts, selectors, services
from .errors import BudgetConflict, BudgetErrorCode, BudgetForbidden
from .forms import TYPE_HELP, AdvanceForm, OverrideForm, PabulibForm, ProposalForm, ReviewForm, ScoreForm, UpdateForm
from .models import PHASE_ORDER, Phase, ProjectStatus, VoteMethod


def official_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Officials (and committee members) only, after their second factor in this session."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect(login_url(request))
        if not services.can_open_office(user):
            raise BudgetForbidden(_("The budget office is for officials and the citizen committee."))
        return view(request, *args, **kwargs)

    return wrapper


# --- public pages ------------------------------------------------------------------------------


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "budget/home.html", {"live": selectors.live_cycles(), "cycles": selectors.cycles()[:20],
                                                "now": clock.now()})


def _timeline(cycle: Any) -> list[dict[str, Any]]:
    """The phases with their dates: what really happened for the phases done, the current phase
    from its start (to its planned end while that is ahead), later phases while their plan holds."""
    dates: dict[str, tuple[Any, Any]] = {Phase.SUBMISSION: (cycle.submission_opens, cycle.submission_closes),
             Phase.REVIEW: (cycle.submission_closes, cycle.review_closes),
             Phase.DELIBERATION: (cycle.review_closes, cycle.deliberation_closes),
             Phase.VOTE: (cycle.vote_opens, cycle.vote_closes)}
    if cycle.results_published_at is not None:
        dates[Phase.ALLOCATION] = (cycle.vote_closes, cycle.results_published_at)
        dates[Phase.IMPLEMENTATION] = (cycle.results_published_at, None)
    now = clock.now()
    current = PHASE_ORDER.index(cycle.phase)
    steps = []
    for p in PHASE_ORDER:
        if p in (Phase.DRAFT, Phase.CLOSED):
            continue
        state = "done" if PHASE_ORDER.index(p) < current else "current" if p == cycle.phase else "next"
        start, end = dates.get(p, (None, None))
        if state == "current" and end is not None and end <= now:
            end = None  # running past its plan: shown as "since …"
        if state == "next" and start is not None and start <= now:
            start = end = None  # the plan has passed: the office sets the new dates
        steps.append({"key": p, "label": Phase(p).label, "start": start, "end": end, "state": state})
    return steps


@require_GET
def cycle(request: HttpRequest, slug: str) -> HttpResponse:
    c = selectors.cycle_by_slug(slug)
    return render(request, "budget/cycle.html", {
        "cycle": c, "timeline": _timeline(c), "envelopes": selectors.envelopes(c),
        "projects": selectors.projects(c)[:500], "results_public": selectors.results_public(c),
        "stats": selectors.stats(c), "vote_open": selectors.vote_is_open(c),
    })


@require_GET
def project(request: HttpRequest, code: str) -> HttpResponse:
    p = selectors.project_by_code(code)
    public = selectors.results_public(p.cycle)
    return render(request, "budget/project.html", {
        "project": p, "outcome": selectors.project_outcome(p) if public else None, "results_public": public,
        "updates": selectors.updates(p), "overrides": p.overrides.all() if public else [],
        "place": selectors.place_label(p),
        "democracy": selectors.democracy_proposal(p.democracy_proposal_id) if p.democracy_proposal_id else None,
        "can_withdraw": request.user.is_authenticated and p.proposer_id == request.user.pk
        and p.status in (ProjectStatus.SUBMITTED, ProjectStatus.ELIGIBLE),
    })


@login_required
@require_http_methods(["GET", "POST"])
def propose(request: HttpRequest, slug: str) -> HttpResponse:
    c = selectors.cycle_by_slug(slug)
    form = ProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ratelimit.hit(f"budget-submit:{request.user.pk}", limit=20, window_seconds=3600)
            p = services.project_submit(user=request.user, cycle_id=c.pk, **form.cleaned_data)  # type: ignore[arg-type]
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Your proposal was submitted. Officials review it next; you will get a "
                                        "message with the result."))
            return redirect("budget:project", code=p.code)
    chosen = None
    if form.is_bound and request.POST.get("democracy_proposal_id", "").isdigit():
        chosen = selectors.democracy_proposal(int(request.POST["democracy_proposal_id"]))
    return render(request, "budget/propose.html", {
        "cycle": c, "form": form, "type_help": TYPE_HELP, "chosen_democracy": chosen,
        "democracy_search_url": selectors.democracy_search_url(), "locate_url": selectors.locate_url(),
    }, status=400 if form.is_bound else 200)


def _form_error(form: Any, exc: DomainError) -> None:
    """A refusal from the service, shown at the field it concerns when there is one."""
    if exc.code == CoreErrorCode.OUTSIDE_CITY:
        form.add_error("district_code", _("This place is outside the city; pin a place inside the city."))
        return
    add_domain_error(form, exc)


@login_required
@require_POST
def withdraw(request: HttpRequest, code: str) -> HttpResponse:
    p = selectors.project_by_code(code)
    services.project_withdraw(user=request.user, project_id=p.pk)  # type: ignore[arg-type]
    messages.info(request, _("Your proposal was withdrawn."))
    return redirect("budget:project", code=code)


@require_http_methods(["GET", "POST"])
def vote(request: HttpRequest, envelope_id: int) -> HttpResponse:
    env = selectors.envelope_get(envelope_id)
    c = env.cycle
    if c.phase != Phase.VOTE or env.vote_id is None:
        raise BudgetConflict(_("This envelope is not being voted on now."), code=BudgetErrorCode.WRONG_PHASE)
    error = ""
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(login_url(request))
        try:
            ratelimit.hit(f"budget-ballot:{request.user.pk}", limit=30, window_seconds=600)
            if c.vote_method == VoteMethod.POINTS:
                pts = {k.removeprefix("pts-"): int(str(v)) for k, v in request.POST.items()
                       if k.startswith("pts-") and str(v).strip() not in ("", "0")}
                receipt = services.ballot_cast(user=request.user, envelope_id=env.pk, points=pts)  # type: ignore[arg-type]
            else:
                receipt = services.ballot_cast(user=request.user, envelope_id=env.pk,  # type: ignore[arg-type]
                                               project_codes=request.POST.getlist("project"))
        except ValueError:
            error = _("Points are whole numbers.")
        except DomainError as exc:
            error = selectors.ballot_error_text(exc)
        else:  # post/redirect/get: a reload shows the receipt instead of casting again
            messages.success(request, _("Thank you, your ballot was counted. Your receipt tracker is %(tracker)s.")
                             % {"tracker": receipt["tracker"]})
            return redirect("budget:vote", envelope_id=env.pk)
    return render(request, "budget/vote.html", {
        "envelope": env, "cycle": c, "projects": selectors.ballot_projects(env), "error": error,
        "voter": selectors.voter_state(env, request.user), "vote_open": selectors.vote_is_open(c),
        "chosen": request.POST.getlist("project") if request.method == "POST" else [],
    }, status=400 if error else 200)


def _result_context(c: Any) -> dict[str, Any]:
    results = selectors.results(c)
    sections = []
    for r in results:
        bars = [charts.Bar(o.project.title, o.votes, o.project.status == ProjectStatus.FUNDED, f"{o.votes:,}")
                for o in sorted(r.outcomes, key=lambda o: -o.votes)[:25]]
        chart = charts.bars_svg(bars, title=str(r.envelope.name), axis=_("votes (ballots choosing the project)"))
        sections.append({"result": r, "chart": mark_safe(chart)})  # noqa: S308  (escaped in bars_svg)
    return {"cycle": c, "sections": sections, "stats": selectors.stats(c), "overrides": selectors.overrides(c),
            "geojson": selectors.projects_geojson(c)}


@require_GET
def results(request: HttpRequest, slug: str) -> HttpResponse:
    c = selectors.cycle_by_slug(slug)
    if not selectors.results_public(c):
        raise BudgetConflict(_("The results are published after the allocation phase."),
                             code=BudgetErrorCode.NO_RESULT)
    return render(request, "budget/results.html", _result_context(c))


@require_GET
def report_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    from django.template.loader import render_to_string
    from weasyprint import HTML

    c = selectors.cycle_by_slug(slug)
    if not selectors.results_public(c):
        raise BudgetConflict(_("The results are published after the allocation phase."),
                             code=BudgetErrorCode.NO_RESULT)
    html = render_to_string("budget/report.html", _result_context(c), request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="budget-{c.slug}.pdf"'
    return response


@require_GET
def pabulib_file(request: HttpRequest, envelope_id: int) -> HttpResponse:
    env = selectors.envelope_get(envelope_id)
    if not selectors.results_public(env.cycle):
        raise BudgetConflict(_("The results are published after the allocation phase."),
                             code=BudgetErrorCode.NO_RESULT)
    response = HttpResponse(selectors.pabulib_export(env), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{env.cycle.slug}-envelope-{env.pk}.pb"'
    return response


# --- the budget office -------------------------------------------------------------------------

# what moving a cycle into each phase does, said next to the button
NEXT_HELP = {
    Phase.SUBMISSION: gettext_lazy("Citizens can send proposals from now on."),
    Phase.REVIEW: gettext_lazy("Proposals close now; officials review each one."),
    Phase.DELIBERATION: gettext_lazy("The review ends; the citizen committee scores the eligible proposals."),
    Phase.VOTE: gettext_lazy("A ballot opens now for every envelope with eligible proposals."),
    Phase.ALLOCATION: gettext_lazy("The votes close now, and the money of every envelope is allocated by the "
                                   "cycle's rule."),
    Phase.IMPLEMENTATION: gettext_lazy("The results are published and every proposer is told."),
    Phase.CLOSED: gettext_lazy("The cycle is archived; its results stay public."),
}


@official_required
@require_GET
def office(request: HttpRequest) -> HttpResponse:
    from .models import Cycle

    rows = []
    for c in Cycle.objects.order_by("-year", "slug"):
        i = PHASE_ORDER.index(c.phase)
        nxt = PHASE_ORDER[i + 1] if i + 1 < len(PHASE_ORDER) else None
        form = None
        if nxt:
            initial: dict[str, Any] = {"to_phase": nxt}
            if nxt == Phase.VOTE:
                initial["vote_closes"] = timezone.localtime(selectors.default_vote_close(c))
            form = AdvanceForm(initial=initial, auto_id=f"id_{c.slug}_%s")
        rows.append({"cycle": c, "next": nxt, "next_label": Phase(nxt).label if nxt else "", "advance_form": form,
                     "next_help": NEXT_HELP.get(nxt, "") if nxt else "",  # type: ignore[call-overload]
                     "queue": selectors.review_queue(c).count(), "envelopes": selectors.envelopes(c)})
    return render(request, "budget/office.html", {"rows": rows, "is_admin": services.is_budget_admin(request.user),
                                                  "pb_form": PabulibForm()})


@official_required
@require_POST
def office_advance(request: HttpRequest, slug: str) -> HttpResponse:
    c = selectors.cycle_by_slug(slug, include_drafts=True)
    form = AdvanceForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("budget:office")
    try:
        moved = services.cycle_advance(actor=request.user, cycle_id=c.pk, to_phase=form.cleaned_data["to_phase"],  # type: ignore[arg-type]
                                       vote_closes=form.cleaned_data.get("vote_closes") or None)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise  # a refusal is the error page
        messages.error(request, exc.message)
    else:
        if moved.phase == Phase.VOTE:
            messages.success(request, _("The citizen vote is open now, until %(closes)s (Seoul time).") % {
                "closes": date_format(timezone.localtime(moved.vote_closes), "Y-m-d H:i")})
        else:
            messages.success(request, _("The cycle moved to the phase: %(phase)s.") % {
                "phase": moved.get_phase_display()})
    return redirect("budget:office")


@official_required
@require_POST
def office_import(request: HttpRequest, slug: str) -> HttpResponse:
    c = selectors.cycle_by_slug(slug, include_drafts=True)
    form = PabulibForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a .pb file."))
        return redirect("budget:office")
    upload = form.cleaned_data["file"]
    try:
        text = upload.read().decode("utf-8-sig")
        env = services.pabulib_import(actor=request.user, cycle_id=c.pk, text=text, filename=upload.name)  # type: ignore[arg-type]
    except UnicodeDecodeError:
        messages.error(request, _("The file is not UTF-8 text."))
    except DomainError as exc:
        if exc.status in (403, 404):
            raise  # a refusal is the error page
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Imported %(n)s projects.") % {"n": env.projects.count()})
    return redirect("budget:office")


@official_required
@require_GET
def office_cycle(request: HttpRequest, slug: str) -> HttpResponse:
    c = selectors.cycle_by_slug(slug, include_drafts=True)
    return render(request, "budget/office_cycle.html", {
        "cycle": c, "queue": selectors.review_queue(c), "projects": selectors.projects(c, public=False),
        "results_public": selectors.results_public(c),
        "is_committee": services.is_committee_member(request.user), "score_form": ScoreForm(),
    })


@official_required
@require_http_methods(["GET", "POST"])
def office_project(request: HttpRequest, code: str) -> HttpResponse:
    p = selectors.project_by_code(code, include_drafts=True)
    action = request.POST.get("action", "")
    review_form = ReviewForm(request.POST if action == "review" else None,
                             initial={"cost": p.cost or p.requested_cost, "envelope_id": p.envelope_id,
                                      "department_code": p.department_code},
                             envelopes=p.cycle.envelopes.all(), departments=selectors.department_choices())
    score_form = ScoreForm(request.POST if action == "score" else None)
    override_form = OverrideForm(request.POST if action == "override" else None)
    is_update = action == "update"
    update_form = UpdateForm(request.POST if is_update else None, request.FILES if is_update else None)
    forms = {"review": review_form, "score": score_form, "override": override_form, "update": update_form}
    if request.method == "POST" and action in forms and forms[action].is_valid():
        data = forms[action].cleaned_data
        try:
            if action == "review":
                services.project_review(actor=request.user, project_id=p.pk, **data)  # type: ignore[arg-type]
            elif action == "score":
                services.committee_score_set(member=request.user, project_id=p.pk, **data)  # type: ignore[arg-type]
            elif action == "override":
                services.outcome_override(actor=request.user, project_id=p.pk, **data)  # type: ignore[arg-type]
            else:
                services.implementation_update_add(actor=request.user, project_id=p.pk, **data)  # type: ignore[arg-type]
        except DomainError as exc:
            forms[action].add_error(None, exc.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("budget:office-project", code=code)
    return render(request, "budget/office_project.html", {
        "project": p, "place": selectors.place_label(p), "outcome": selectors.project_outcome(p),
        "democracy": selectors.democracy_proposal(p.democracy_proposal_id) if p.democracy_proposal_id else None,
        "updates": selectors.updates(p), **{f"{k}_form": v for k, v in forms.items()},
        "is_admin": services.is_budget_admin(request.user),
        "is_committee": services.is_committee_member(request.user),
    }, status=400 if request.method == "POST" else 200)
