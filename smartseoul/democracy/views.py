"""Democracy Seoul pages: thin — parse, call one service or selector, render.

Citizen pages live under /democracy/; the officials' pages under /democracy/office/ require the
second factor in this session (the same rule the accounts middleware applies to /office/)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smartseoul.accounts.models import User
from smartseoul.accounts.policy import second_factor_passed
from smartseoul.core.errors import DomainError
from smartseoul.core.redirects import local_path, login_url

from . import selectors, services
from .errors import DemocracyErrorCode, DemocracyForbidden
from .forms import (
    AnswerForm,
    CommentForm,
    InquiryForm,
    InquiryResponseForm,
    LadderConfigForm,
    OpinionForm,
    ProposalForm,
    ReassignForm,
    ReportForm,
    SelectionForm,
    SummaryForm,
)
from .models import Category, Stage
from .services import CONFIG_FIELDS

View = Callable[..., HttpResponse]


def office_view(view: View) -> View:
    """Officials, and citizens holding a duty here (Proposal Selection Group members, moderators),
    with the second factor passed in this session."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = _me(request)
        if not selectors.can_open_office(user):
            raise DemocracyForbidden(_("This page is for officials."), code=DemocracyErrorCode.NOT_RESPONSIBLE)
        if not second_factor_passed(request):
            return redirect(f"/accounts/second-factor/?next={request.path}")
        return view(request, *args, **kwargs)

    return wrapped


def _me(request: HttpRequest) -> User:
    """The signed-in user of a @login_required view."""
    return cast(User, request.user)


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


# --- citizen pages -------------------------------------------------------------------------------------


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    f = {k: request.GET.get(k) or None for k in ("stage", "category", "district", "q")}
    order = request.GET.get("order") or "new"
    qs = selectors.proposals_public(
        stage=f["stage"], category=f["category"], district_code=f["district"], q=f["q"], order=order
    )
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    ctx = {
        "page": page,
        "filters": f,
        "order": order,
        "categories": Category.choices,
        "districts": selectors.core_selectors.districts(),
        "cfg": selectors.ladder_config(),
        "supported": selectors.supported_ids(request.user, [p.pk for p in page]),
    }
    return render(request, "democracy/index.html#results" if _is_htmx(request) else "democracy/index.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    form = ProposalForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            p = services.proposal_create(
                author=_me(request),
                title=d["title"],
                problem=d["problem"],
                solution=d["solution"],
                category=d["category"],
                district_code=d["district"],
                files=d["files"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Your proposal is published. Share it to gather support."))
            return redirect("democracy:proposal", p.pk)
    return render(
        request,
        "democracy/new.html",
        {"form": form, "cfg": selectors.ladder_config(), "verified": _me(request).verification >= 1},
    )


def _proposal_ctx(request: HttpRequest, p: Any) -> dict[str, Any]:
    cfg = selectors.ladder_config()
    return {
        "p": p,
        "cfg": cfg,
        "me": selectors.viewer_state(p, request.user),
        "answers": selectors.answers(p),
        "timeline": selectors.timeline(p),
        "comments": selectors.comment_tree(p),
        "opinions": selectors.opinions(p),
        "next": selectors.next_threshold(p, cfg),
        "support_open": selectors.support_open(p),
        "forum_open": selectors.forum_open(p),
        "editable": selectors.editable(p),
        "ladder": _ladder(p, cfg),
        "opinion_form": OpinionForm(),
        "comment_form": CommentForm(),
        "report_form": ReportForm(),
        "can_answer": selectors.can_answer_for(request.user, p)
        or selectors.is_mayor_office(request.user)
        or selectors.is_selection_group(request.user),
    }


def _ladder(p: Any, cfg: Any) -> list[dict[str, Any]]:
    """The five rungs shown on the page, each done / current / ahead."""
    order = [
        Stage.DELIBERATION,
        Stage.DEPARTMENT_ANSWER_DUE,
        Stage.FORUM_SELECTION,
        Stage.FORUM,
        Stage.MAYOR_ANSWER_DUE,
    ]
    reached = {e.to_stage for e in p.stage_events.all()} | {p.stage}
    alias = {Stage.DEPARTMENT_ANSWERED: Stage.DEPARTMENT_ANSWER_DUE}
    current = alias.get(p.stage, p.stage)
    labels = [
        _("Support (%(n)s days)") % {"n": cfg.support_window_days},
        _("%(n)s supporters: department answers") % {"n": cfg.department_threshold},
        _("%(n)s supporters: forum selection") % {"n": cfg.forum_threshold},
        _("Public forum (%(n)s days)") % {"n": cfg.forum_days},
        _("%(n)s participants: mayor answers") % {"n": cfg.mayor_threshold},
    ]
    if Stage.DECISION_DUE in reached:  # a smaller forum: the department gave the final answer, not the mayor
        order[-1] = Stage.DECISION_DUE
        labels[-1] = _("Fewer than %(n)s participants: the department's final answer") % {"n": cfg.mayor_threshold}
    steps = []
    for stage, label in zip(order, labels, strict=True):
        done = stage in reached or any(alias.get(r) == stage for r in reached)
        steps.append({"label": label, "done": done, "current": stage == current})
    return steps


@require_GET
def proposal(request: HttpRequest, pk: int) -> HttpResponse:
    p = selectors.proposal_get(pk, viewer=request.user)
    return render(request, "democracy/proposal.html", _proposal_ctx(request, p))


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    p = selectors.proposal_get(pk, viewer=request.user)
    if p.author_id != request.user.pk:
        raise DemocracyForbidden(_("Only the author can edit a proposal."), code=DemocracyErrorCode.NOT_AUTHOR)
    initial = {
        "title": p.title,
        "problem": p.problem,
        "solution": p.solution,
        "category": p.category,
        "district": p.district.code if p.district else "city",
    }
    form = ProposalForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.proposal_update(
                proposal_id=p.pk,
                actor=_me(request),
                title=d["title"],
                problem=d["problem"],
                solution=d["solution"],
                category=d["category"],
                district_code=d["district"],
                files=d["files"],
                remove_attachment_ids=[int(x) for x in request.POST.getlist("remove") if x.isdigit()],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Your proposal is updated."))
            return redirect("democracy:proposal", p.pk)
    return render(request, "democracy/edit.html", {"form": form, "p": p, "editable": selectors.editable(p)})


@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    services.proposal_withdraw(proposal_id=pk, actor=_me(request), reason=request.POST.get("reason", ""))
    messages.info(request, _("Your proposal is withdrawn."))
    return redirect("democracy:proposal", pk)


@login_required
@require_POST
def support(request: HttpRequest, pk: int) -> HttpResponse:
    """Adds (or, with action=withdraw, removes) the signed-in citizen's support; htmx swaps the box."""
    error = ""
    try:
        if request.POST.get("action") == "withdraw":
            services.support_withdraw(proposal_id=pk, user=_me(request))
        else:
            services.support_add(proposal_id=pk, user=_me(request))
    except DomainError as exc:
        if not _is_htmx(request):
            raise
        error = exc.message
    if not _is_htmx(request):
        return redirect("democracy:proposal", pk)
    p = selectors.proposal_get(pk, viewer=request.user)
    ctx = _proposal_ctx(request, p)
    ctx["support_error"] = error
    return render(request, "democracy/proposal.html#support", ctx)


@login_required
@require_POST
def follow(request: HttpRequest, pk: int) -> HttpResponse:
    services.follow_set(proposal_id=pk, user=_me(request), follow=request.POST.get("follow") == "1")
    return redirect("democracy:proposal", pk)


@login_required
@require_POST
def opinion(request: HttpRequest, pk: int) -> HttpResponse:
    form = OpinionForm(request.POST)
    if form.is_valid():
        services.opinion_set(
            proposal_id=pk,
            user=_me(request),
            stance=form.cleaned_data["stance"],
            body=form.cleaned_data["body"],
        )
        messages.success(request, _("Your opinion is recorded."))
    else:
        messages.error(request, " ".join(str(e) for e in form.errors.get("body", [])) or _("Choose for or against."))
    return redirect(f"{selectors.proposal_url(pk)}#forum")


@login_required
@require_POST
def comment(request: HttpRequest, pk: int) -> HttpResponse:
    form = CommentForm(request.POST)
    if form.is_valid():
        services.comment_add(
            proposal_id=pk,
            author=_me(request),
            body=form.cleaned_data["body"],
            parent_id=form.cleaned_data["parent"],
        )
        messages.success(request, _("Your comment is posted."))
    elif request.POST.get("body", "").strip():  # too long: say so, with the limit
        messages.error(request, " ".join(str(e) for e in form.errors.get("body", [])) or _("Write a comment first."))
    else:
        messages.error(request, _("Write a comment first."))
    return redirect(f"{selectors.proposal_url(pk)}#comments")


@login_required
@require_POST
def report(request: HttpRequest, kind: str, target_id: int) -> HttpResponse:
    form = ReportForm(request.POST)
    back = local_path(request.POST.get("next")) or "/democracy/"
    if not back.startswith("/democracy/"):
        back = "/democracy/"
    if form.is_valid():
        services.report_create(
            reporter=_me(request),
            target_kind=kind,
            target_id=target_id,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
        )
        messages.success(request, _("Thank you. A moderator will review it."))
    else:
        messages.error(request, _("Choose a reason for the report."))
    return redirect(back)


@require_GET
def answers(request: HttpRequest) -> HttpResponse:
    """Public tracking: answers owed and overdue, per department."""
    rows = selectors.answer_tracking()
    totals = {k: sum(r[k] for r in rows) for k in ("due", "overdue", "answered", "late")}
    return render(
        request, "democracy/answers.html", {"rows": rows, "totals": totals, "mayor": selectors.mayor_tracking()}
    )


# --- Seoul Inquires --------------------------------------------------------------------------------


@require_GET
def inquiries(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.inquiries_public(), 20).get_page(request.GET.get("page"))
    return render(request, "democracy/inquiries.html", {"page": page})


@require_http_methods(["GET", "POST"])
def inquiry(request: HttpRequest, pk: int) -> HttpResponse:
    inq = selectors.inquiry_get(pk)
    mine = selectors.user_has_responded(inq, request.user)
    form = InquiryResponseForm(request.POST or None, initial={"body": mine or ""})
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(login_url(request))
        if form.is_valid():
            try:
                services.inquiry_respond(inquiry_id=pk, user=_me(request), body=form.cleaned_data["body"])
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Thank you for your answer."))
                return redirect("democracy:inquiry", pk)
    page = Paginator(selectors.inquiry_responses(inq), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "democracy/inquiry.html",
        {
            "inq": inq,
            "form": form,
            "mine": mine,
            "page": page,
            "is_open": selectors.inquiry_is_open(inq),
            "vote_results": selectors.inquiry_vote_results(inq),
            "vote_url": selectors.inquiry_vote_url(inq),
        },
    )


# --- office ----------------------------------------------------------------------------------------


@office_view
@require_GET
def office(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "democracy/office.html",
        {
            "queues": selectors.answer_queue(_me(request)),
            "is_moderator": selectors.is_moderator(user),
            "is_admin": selectors.is_city_admin(user),
            "moderation_count": len(selectors.moderation_queue()) if selectors.is_moderator(user) else 0,
        },
    )


@office_view
@require_http_methods(["GET", "POST"])
def office_proposal(request: HttpRequest, pk: int) -> HttpResponse:
    p = selectors.proposal_get(pk, viewer=request.user)
    action = request.POST.get("action", "")
    answer_form = AnswerForm(request.POST if action == "answer" else None)
    reassign_form = ReassignForm(request.POST if action == "reassign" else None)
    selection_form = SelectionForm(request.POST if action == "selection" else None)
    if request.method == "POST":
        try:
            if action == "answer" and answer_form.is_valid():
                services.answer_create(
                    proposal_id=pk,
                    actor=_me(request),
                    body=answer_form.cleaned_data["body"],
                    outcome=answer_form.cleaned_data["outcome"],
                    request=request,
                )
                messages.success(request, _("The answer is published."))
                return redirect("democracy:proposal", pk)
            if action == "reassign" and reassign_form.is_valid():
                services.proposal_reassign(
                    proposal_id=pk,
                    actor=_me(request),
                    department_code=reassign_form.cleaned_data["department"],
                    reason=reassign_form.cleaned_data["reason"],
                    request=request,
                )
                messages.success(request, _("The proposal is transferred."))
                return redirect("democracy:office")
            if action == "selection" and selection_form.is_valid():
                d = selection_form.cleaned_data
                if d["decision"] == "open":
                    services.forum_open(proposal_id=pk, actor=_me(request), note=d["note"], request=request)
                else:
                    services.forum_decline(proposal_id=pk, actor=_me(request), reason=d["note"], request=request)
                messages.success(request, _("The decision is recorded."))
                return redirect("democracy:proposal", pk)
        except DomainError as exc:
            form = {"answer": answer_form, "reassign": reassign_form, "selection": selection_form}.get(action)
            if form is None:
                raise
            form.add_error(None, exc.message)
    ctx = _proposal_ctx(request, p)
    ctx.update(
        {
            "answer_form": answer_form,
            "reassign_form": reassign_form,
            "selection_form": selection_form,
            "needs_outcome": p.stage in (Stage.DECISION_DUE, Stage.MAYOR_ANSWER_DUE),
            "answer_due": p.stage in (Stage.DEPARTMENT_ANSWER_DUE, Stage.DECISION_DUE, Stage.MAYOR_ANSWER_DUE),
            "selection_due": p.stage == Stage.FORUM_SELECTION and selectors.is_selection_group(request.user),
        }
    )
    return render(request, "democracy/office_proposal.html", ctx)


@office_view
@require_http_methods(["GET", "POST"])
def office_moderation(request: HttpRequest) -> HttpResponse:
    if not selectors.is_moderator(request.user):
        raise DemocracyForbidden(_("Only moderators review reports."), code=DemocracyErrorCode.NOT_RESPONSIBLE)
    if request.method == "POST":
        n = services.moderation_decide(
            actor=_me(request),
            target_kind=request.POST.get("kind", ""),
            target_id=int(request.POST.get("id", "0") or 0),
            uphold=request.POST.get("decision") == "uphold",
            note=request.POST.get("note", ""),
            request=request,
        )
        messages.success(request, _("%(n)s reports decided.") % {"n": n})
        return redirect("democracy:office-moderation")
    return render(request, "democracy/office_moderation.html", {"items": selectors.moderation_queue()})


@office_view
@require_http_methods(["GET", "POST"])
def office_settings(request: HttpRequest) -> HttpResponse:
    if not selectors.is_city_admin(request.user):
        raise DemocracyForbidden(
            _("Only city administrators change the ladder."), code=DemocracyErrorCode.NOT_RESPONSIBLE
        )
    cfg = selectors.ladder_config()
    initial = {k: getattr(cfg, k) for k in [*CONFIG_FIELDS, "require_real_name"]}
    form = LadderConfigForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.ladder_config_update(actor=_me(request), request=request, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The ladder settings are saved."))
            return redirect("democracy:office-settings")
    return render(request, "democracy/office_settings.html", {"form": form, "cfg": cfg})


@office_view
@require_http_methods(["GET", "POST"])
def office_inquiry_new(request: HttpRequest) -> HttpResponse:
    from smartseoul.core import clock

    form = InquiryForm(request.POST or None, initial={"closes_at": clock.today_local() + timedelta(days=14)})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            inq = services.inquiry_create(
                actor=_me(request),
                title=d["title"],
                question=d["question"],
                background=d["background"],
                timing=d["timing"],
                mode=d["mode"],
                closes_at=d["closes_at"],
                district_code=d["district"],
                options=[line for line in d["options"].splitlines() if line.strip()],
                request=request,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The inquiry is published."))
            return redirect("democracy:inquiry", inq.pk)
    return render(request, "democracy/office_inquiry.html", {"form": form})


@office_view
@require_http_methods(["GET", "POST"])
def office_inquiry_summary(request: HttpRequest, pk: int) -> HttpResponse:
    inq = selectors.inquiry_get(pk, include_unopened=True)
    form = SummaryForm(request.POST or None, initial={"summary": inq.result_summary})
    if request.method == "POST" and form.is_valid():
        try:
            services.inquiry_summarise(
                inquiry_id=pk,
                actor=_me(request),
                summary=form.cleaned_data["summary"],
                request=request,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The result is published."))
            return redirect("democracy:inquiry", pk)
    return render(request, "democracy/office_inquiry.html", {"form": form, "inq": inq})
