"""The Democracy Seoul API at /api/v1/democracy: thin — parse, call one service or selector, return a schema.

Reads are public; writes need a signed-in session (CSRF checked; officials also their second factor,
which the accounts middleware enforces on every API write)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from ninja import Path, Query, Router, Status
from ninja.pagination import paginate

from smartseoul.core.auth import request_user, session_auth
from smartseoul.core.schemas import ROW_ID_MAX, Page, PagePagination, RowId

from . import selectors, services
from .errors import DemocracyErrorCode, DemocracyForbidden
from .models import Inquiry, Proposal, Stage
from .schemas import (
    AnswerIn,
    AnswerOut,
    BudgetLinkIn,
    CommentIn,
    CommentOut,
    DecisionIn,
    DepartmentTrackingOut,
    InquiryIn,
    InquiryOut,
    InquiryResponseIn,
    InquiryResponseOut,
    LadderConfigIn,
    LadderConfigOut,
    ModerationIn,
    OpinionIn,
    OpinionOut,
    ProposalDetailOut,
    ProposalIn,
    ProposalOut,
    ProposalPatch,
    ReportIn,
    SupportOut,
)

router = Router()
ROW_ID = Path(..., ge=1, le=ROW_ID_MAX)


class Mapped:
    """A lazily mapped QuerySet: the paginator counts and slices it, only the page is turned into dicts."""

    def __init__(self, qs: Any, fn: Callable[[Any], dict[str, Any]]) -> None:
        self.qs, self.fn = qs, fn

    def all(self) -> Mapped:
        return self

    def count(self) -> int:
        return int(self.qs.count())

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item: slice) -> list[dict[str, Any]]:
        return [self.fn(x) for x in self.qs[item]]


def proposal_out(p: Proposal) -> dict[str, Any]:
    return {
        "id": p.pk,
        "title": p.title,
        "category": p.category,
        "district_code": p.district.code if p.district else None,
        "stage": p.stage,
        "stage_label": str(Stage(p.stage).label),
        "created_at": p.created_at,
        "support_deadline": p.support_deadline,
        "support_count": p.support_count,
        "forum_participants": p.forum_participants,
        "forum_pro": p.forum_pro,
        "forum_con": p.forum_con,
        "forum_closes_at": p.forum_closes_at,
        "department_code": p.department.code if p.department else None,
        "answer_due_at": p.answer_due_at,
        "budget_reference": p.budget_reference,
        "url": selectors.proposal_url(p.pk),
    }


def proposal_detail(p: Proposal) -> dict[str, Any]:
    return {
        **proposal_out(p),
        "problem": p.problem,
        "solution": p.solution,
        "author": p.author.public_name() if p.author else "",
        "answers": [
            {
                "kind": a.kind,
                "department_code": a.department.code if a.department else None,
                "department_name": a.department.name if a.department else None,
                "body": a.body,
                "outcome": a.outcome,
                "due_at": a.due_at,
                "answered_at": a.answered_at,
                "late": a.late,
            }
            for a in selectors.answers(p)
        ],
        "timeline": selectors.timeline(p),
        "attachments": [
            {"kind": a.kind, "name": a.name, "url": a.file.url, "size": a.size} for a in p.attachments.all()
        ],
        "next_threshold": selectors.next_threshold(p),
    }


def inquiry_out(i: Inquiry) -> dict[str, Any]:
    return {
        "id": i.pk,
        "title": i.title,
        "question": i.question,
        "background": i.background,
        "timing": i.timing,
        "mode": i.mode,
        "department_code": i.department.code if i.department else None,
        "district_code": i.district.code if i.district else None,
        "opens_at": i.opens_at,
        "closes_at": i.closes_at,
        "is_open": selectors.inquiry_is_open(i),
        "response_count": i.response_count,
        "vote_id": i.vote_id,
        "vote_url": selectors.inquiry_vote_url(i),
        "result_summary": i.result_summary,
    }


# --- proposals -------------------------------------------------------------------------------------


@router.get("/proposals", response=list[ProposalOut])
@paginate(PagePagination)
def list_proposals(
    request: HttpRequest,
    stage: str | None = None,
    category: str | None = None,
    district: str | None = None,
    q: str | None = None,
    order: str = "new",
) -> Any:
    """Visible proposals. `stage`: a stage key, or open / answered / forum / closed; `order`: new, support,
    closing, forum; `district`: a gu code or `city` for city-wide."""
    return Mapped(
        selectors.proposals_public(stage=stage, category=category, district_code=district, q=q, order=order),
        proposal_out,
    )


@router.post("/proposals", response={201: ProposalDetailOut}, auth=session_auth)
def create_proposal(request: HttpRequest, body: ProposalIn) -> Any:
    p = services.proposal_create(author=request_user(request), **body.dict())
    return Status(201, proposal_detail(selectors.proposal_get(p.pk, viewer=request_user(request))))


@router.get("/proposals/{proposal_id}", response=ProposalDetailOut)
def get_proposal(request: HttpRequest, proposal_id: RowId) -> Any:
    return proposal_detail(selectors.proposal_get(proposal_id, viewer=request.user))


@router.patch("/proposals/{proposal_id}", response=ProposalDetailOut, auth=session_auth)
def update_proposal(request: HttpRequest, proposal_id: RowId, body: ProposalPatch) -> Any:
    services.proposal_update(proposal_id=proposal_id, actor=request_user(request), **body.dict(exclude_unset=True))
    return proposal_detail(selectors.proposal_get(proposal_id, viewer=request_user(request)))


@router.post("/proposals/{proposal_id}/withdraw", response=ProposalOut, auth=session_auth)
def withdraw_proposal(request: HttpRequest, proposal_id: RowId) -> Any:
    return proposal_out(services.proposal_withdraw(proposal_id=proposal_id, actor=request_user(request)))


@router.post("/proposals/{proposal_id}/support", response=SupportOut, auth=session_auth)
def support(request: HttpRequest, proposal_id: RowId) -> Any:
    p = services.support_add(proposal_id=proposal_id, user=request_user(request))
    return {"id": p.pk, "stage": p.stage, "support_count": p.support_count, "supported": True}


@router.delete("/proposals/{proposal_id}/support", response=SupportOut, auth=session_auth)
def unsupport(request: HttpRequest, proposal_id: RowId) -> Any:
    p = services.support_withdraw(proposal_id=proposal_id, user=request_user(request))
    return {"id": p.pk, "stage": p.stage, "support_count": p.support_count, "supported": False}


@router.put("/proposals/{proposal_id}/follow", response=dict, auth=session_auth)
def follow(request: HttpRequest, proposal_id: RowId) -> Any:
    return {"following": services.follow_set(proposal_id=proposal_id, user=request_user(request), follow=True)}


@router.delete("/proposals/{proposal_id}/follow", response=dict, auth=session_auth)
def unfollow(request: HttpRequest, proposal_id: RowId) -> Any:
    return {"following": services.follow_set(proposal_id=proposal_id, user=request_user(request), follow=False)}


@router.post("/proposals/{proposal_id}/answers", response={201: AnswerOut}, auth=session_auth)
def answer(request: HttpRequest, proposal_id: RowId, body: AnswerIn) -> Any:
    """The answer the stage owes (department; final after a forum; mayor). Officials only."""
    a = services.answer_create(
        proposal_id=proposal_id, actor=request_user(request), body=body.body, outcome=body.outcome, request=request
    )
    return Status(
        201,
        {
            "kind": a.kind,
            "department_code": a.department.code if a.department else None,
            "department_name": a.department.name if a.department else None,
            "body": a.body,
            "outcome": a.outcome,
            "due_at": a.due_at,
            "answered_at": a.answered_at,
            "late": a.late,
        },
    )


@router.post("/proposals/{proposal_id}/forum", response=ProposalOut, auth=session_auth)
def forum_decision(request: HttpRequest, proposal_id: RowId, body: DecisionIn) -> Any:
    """The Proposal Selection Group opens a public forum, or declines with a reason."""
    if body.open:
        p = services.forum_open(proposal_id=proposal_id, actor=request_user(request), note=body.note, request=request)
    else:
        p = services.forum_decline(
            proposal_id=proposal_id, actor=request_user(request), reason=body.note, request=request
        )
    return proposal_out(p)


@router.put("/proposals/{proposal_id}/opinion", response=OpinionOut, auth=session_auth)
def opinion(request: HttpRequest, proposal_id: RowId, body: OpinionIn) -> Any:
    op = services.opinion_set(proposal_id=proposal_id, user=request_user(request), stance=body.stance, body=body.body)
    return {
        "stance": op.stance,
        "body": op.body,
        "participants": selectors.proposal_get(proposal_id, viewer=request_user(request)).forum_participants,
    }


@router.get("/proposals/{proposal_id}/comments", response=list[CommentOut])
def comments(request: HttpRequest, proposal_id: RowId) -> Any:
    p = selectors.proposal_get(proposal_id, viewer=request.user)
    out: list[dict[str, Any]] = []

    def walk(nodes: list[selectors.CommentNode]) -> None:
        for n in nodes:
            c = n.comment
            out.append(
                {
                    "id": c.pk,
                    "parent_id": c.parent_id,
                    "author": c.author.public_name() if c.author else "",
                    "body": "" if c.hidden else c.body,
                    "created_at": c.created_at,
                    "hidden": c.hidden,
                }
            )
            walk(n.replies)

    walk(selectors.comment_tree(p))
    return out


@router.post("/proposals/{proposal_id}/comments", response={201: CommentOut}, auth=session_auth)
def add_comment(request: HttpRequest, proposal_id: RowId, body: CommentIn) -> Any:
    c = services.comment_add(
        proposal_id=proposal_id, author=request_user(request), body=body.body, parent_id=body.parent_id
    )
    return Status(
        201,
        {
            "id": c.pk,
            "parent_id": c.parent_id,
            "author": request_user(request).public_name(),
            "body": c.body,
            "created_at": c.created_at,
            "hidden": c.hidden,
        },
    )


@router.post("/proposals/{proposal_id}/budget-link", response=ProposalOut, auth=session_auth)
def budget_link(request: HttpRequest, proposal_id: RowId, body: BudgetLinkIn) -> Any:
    return proposal_out(
        services.proposal_link_budget(
            proposal_id=proposal_id, budget_reference=body.budget_reference, actor=request_user(request)
        )
    )


# --- tracking, moderation, settings -------------------------------------------------------------------


@router.get("/answers/tracking", response=list[DepartmentTrackingOut])
def tracking(request: HttpRequest) -> Any:
    """Per department: answers owed now, overdue, given, given late. Public."""
    return selectors.answer_tracking()


@router.get("/adopted", response=list[dict], url_name="democracy-adopted")
def adopted(request: HttpRequest, page: Query[Page], q: str = "") -> Any:
    """Adopted proposals (for the budget's Democracy Seoul connection); `q` searches the titles."""
    return selectors.adopted_proposals(q=q.strip()[:100] or None, limit=page.limit, offset=page.offset)


@router.post("/reports", response={201: dict}, auth=session_auth)
def report(request: HttpRequest, body: ReportIn) -> Any:
    r = services.report_create(
        reporter=request_user(request),
        target_kind=body.target_kind,
        target_id=body.target_id,
        reason=body.reason,
        note=body.note,
    )
    return Status(201, {"id": r.pk, "status": r.status})


@router.post("/moderation", response=dict, auth=session_auth)
def moderate(request: HttpRequest, body: ModerationIn) -> Any:
    n = services.moderation_decide(
        actor=request_user(request),
        target_kind=body.target_kind,
        target_id=body.target_id,
        uphold=body.uphold,
        note=body.note,
        request=request,
    )
    return {"decided": n, "hidden": body.uphold}


@router.get("/moderation", response=list[dict], auth=session_auth)
def moderation_queue(request: HttpRequest) -> Any:
    if not selectors.is_moderator(request_user(request)):
        raise DemocracyForbidden("Only moderators see the moderation queue.", code=DemocracyErrorCode.NOT_RESPONSIBLE)
    return selectors.moderation_queue()


@router.get("/config", response=LadderConfigOut)
def get_config(request: HttpRequest) -> Any:
    return selectors.ladder_config()


@router.patch("/config", response=LadderConfigOut, auth=session_auth)
def set_config(request: HttpRequest, body: LadderConfigIn) -> Any:
    return services.ladder_config_update(actor=request_user(request), request=request, **body.dict(exclude_none=True))


# --- Seoul Inquires ------------------------------------------------------------------------------------


@router.get("/inquiries", response=list[InquiryOut])
@paginate(PagePagination)
def list_inquiries(request: HttpRequest) -> Any:
    return Mapped(selectors.inquiries_public(), inquiry_out)


@router.post("/inquiries", response={201: InquiryOut}, auth=session_auth)
def create_inquiry(request: HttpRequest, body: InquiryIn) -> Any:
    return Status(
        201, inquiry_out(services.inquiry_create(actor=request_user(request), request=request, **body.dict()))
    )


@router.get("/inquiries/{inquiry_id}", response=InquiryOut)
def get_inquiry(request: HttpRequest, inquiry_id: RowId) -> Any:
    return inquiry_out(selectors.inquiry_get(inquiry_id))


@router.get("/inquiries/{inquiry_id}/responses", response=list[InquiryResponseOut])
@paginate(PagePagination)
def inquiry_responses(request: HttpRequest, inquiry_id: int = ROW_ID) -> Any:
    # `int = ROW_ID`, not `RowId`: paginate's wrapper resolves annotations in its own module
    inq = selectors.inquiry_get(inquiry_id)
    return Mapped(
        selectors.inquiry_responses(inq),
        lambda r: {"id": r.pk, "author": r.user.public_name(), "body": r.body, "created_at": r.created_at},
    )


@router.put("/inquiries/{inquiry_id}/response", response=InquiryResponseOut, auth=session_auth)
def respond(request: HttpRequest, inquiry_id: RowId, body: InquiryResponseIn) -> Any:
    r = services.inquiry_respond(inquiry_id=inquiry_id, user=request_user(request), body=body.body)
    return {"id": r.pk, "author": request_user(request).public_name(), "body": r.body, "created_at": r.created_at}
