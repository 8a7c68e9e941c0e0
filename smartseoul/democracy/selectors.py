"""Reads of Democracy Seoul: lists, a proposal with its timeline, queues, tracking, exports."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Count, F, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext

from smartseoul.accounts.models import Capability, Role, User
from smartseoul.core import clock
from smartseoul.core import selectors as core_selectors

from .errors import DemocracyErrorCode, DemocracyNotFound
from .models import (
    ANSWER_DUE,
    FINAL,
    OPEN_FOR_SUPPORT,
    Comment,
    ForumOpinion,
    Inquiry,
    InquiryResponse,
    LadderConfig,
    OfficialAnswer,
    Proposal,
    Report,
    ReportReason,
    ReportStatus,
    ReportTarget,
    Stage,
    Support,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


# --- configuration -------------------------------------------------------------------------------


LADDER_CACHE_KEY = "democracy:ladder"


def ladder_config() -> LadderConfig:
    """The city's ladder; Seoul's defaults (unsaved) until an administrator stores their own.
    Cached briefly (every support reads it); `ladder_config_update` drops the cached copy."""
    from django.core.cache import cache

    cached = cache.get(LADDER_CACHE_KEY)
    if isinstance(cached, LadderConfig):
        return cached
    found = LadderConfig.objects.order_by("pk").first()
    if found is None:
        city = core_selectors.city()
        found = LadderConfig(city=city) if city is not None else LadderConfig()
    cache.set(LADDER_CACHE_KEY, found, timeout=60)
    return found


# --- who may do what -------------------------------------------------------------------------------


def is_moderator(user: User | AnonymousUser | None) -> bool:
    return bool(user is not None and user.is_authenticated and user.has_capability(Capability.MODERATOR))


def is_selection_group(user: User | AnonymousUser | None) -> bool:
    return bool(user is not None and user.is_authenticated and user.has_capability(Capability.PROPOSAL_SELECTION))


def is_mayor_office(user: User | AnonymousUser | None) -> bool:
    return bool(user is not None and user.is_authenticated and user.has_capability(Capability.MAYOR))


def is_city_admin(user: User | AnonymousUser | None) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_city_admin)


def can_open_office(user: User | AnonymousUser | None) -> bool:
    """Officials, and citizens holding a duty here (Proposal Selection Group members, moderators, the
    mayor's office): the office pages' gate and the back-office tile ask this."""
    return bool(
        user is not None
        and user.is_authenticated
        and (user.acts_as_staff or is_selection_group(user) or is_moderator(user) or is_mayor_office(user))
    )


def can_answer_for(user: User | AnonymousUser | None, proposal: Proposal) -> bool:
    """An official of the responsible department (or a city administrator) answers for it."""
    if user is None or not user.is_authenticated or not user.is_official:
        return False
    if is_city_admin(user):
        return True
    return proposal.department_id is not None and user.department_id == proposal.department_id


def users_with_capability(capability: str) -> QuerySet[User]:
    return User.objects.filter(is_active=True).filter(Q(groups__name=capability) | Q(role=Role.CITY_ADMIN)).distinct()


def department_officials(department_id: int | None) -> QuerySet[User]:
    if department_id is None:
        return User.objects.filter(is_active=True, role=Role.CITY_ADMIN)
    return User.objects.filter(is_active=True, department_id=department_id).exclude(role=Role.CITIZEN)


# --- proposals -----------------------------------------------------------------------------------


def proposal_url(proposal_id: int) -> str:
    return reverse("democracy:proposal", args=[proposal_id])


def proposals_public(
    *,
    stage: str | None = None,
    category: str | None = None,
    district_code: str | None = None,
    q: str | None = None,
    order: str = "new",
) -> QuerySet[Proposal]:
    """Visible proposals (not hidden by moderation), filtered and ordered for the list page and API."""
    qs = Proposal.objects.filter(hidden=False).select_related("district", "department")
    if stage == "open":
        qs = qs.filter(stage__in=OPEN_FOR_SUPPORT, support_deadline__gt=clock.now())
    elif stage == "answered":
        qs = qs.filter(answers__isnull=False).distinct()
    elif stage == "forum":
        qs = qs.filter(stage=Stage.FORUM)
    elif stage == "closed":
        qs = qs.filter(stage__in=FINAL)
    elif stage:
        qs = qs.filter(stage=stage)
    if category:
        qs = qs.filter(category=category)
    if district_code == "city":
        qs = qs.filter(district=None)
    elif district_code:
        qs = qs.filter(district__code=district_code)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(problem__icontains=q) | Q(solution__icontains=q))
    ordering = {
        "new": ("-created_at", "-id"),
        "support": ("-support_count", "-created_at"),
        "closing": ("support_deadline", "id"),
        "forum": ("-forum_participants", "-id"),
    }.get(order, ("-created_at", "-id"))
    return qs.order_by(*ordering)


def proposal_get(proposal_id: int, *, viewer: User | AnonymousUser | None = None) -> Proposal:
    """One proposal; hidden ones only for their author and moderators."""
    p = (
        Proposal.objects.select_related("district", "department", "author")
        .prefetch_related("attachments")
        .filter(pk=proposal_id)
        .first()
    )
    if p is None:
        raise DemocracyNotFound("No such proposal.", code=DemocracyErrorCode.PROPOSAL_NOT_FOUND)
    if p.hidden and not (
        is_moderator(viewer) or (viewer is not None and viewer.is_authenticated and viewer.pk == p.author_id)
    ):
        raise DemocracyNotFound("No such proposal.", code=DemocracyErrorCode.PROPOSAL_NOT_FOUND)
    return p


def support_open(p: Proposal) -> bool:
    return p.stage in OPEN_FOR_SUPPORT and clock.now() < p.support_deadline and not p.hidden


def forum_open(p: Proposal) -> bool:
    return p.stage == Stage.FORUM and p.forum_closes_at is not None and clock.now() < p.forum_closes_at


def editable(p: Proposal) -> bool:
    return p.stage == Stage.DELIBERATION and p.support_count == 0 and clock.now() < p.support_deadline


@dataclass
class LadderStep:
    key: str
    label: str
    done: bool
    current: bool
    detail: str = ""


def next_threshold(p: Proposal, cfg: LadderConfig | None = None) -> dict[str, Any] | None:
    """What the proposal needs next: {"kind": "supporters"|"participants", "target": n, "have": m}."""
    cfg = cfg or ladder_config()
    if p.stage in OPEN_FOR_SUPPORT and clock.now() < p.support_deadline:
        target = cfg.department_threshold if p.support_count < cfg.department_threshold else cfg.forum_threshold
        if p.support_count < target:
            return {"kind": "supporters", "target": target, "have": p.support_count}
    if p.stage == Stage.FORUM and p.forum_participants < cfg.mayor_threshold:
        return {"kind": "participants", "target": cfg.mayor_threshold, "have": p.forum_participants}
    return None


def viewer_state(p: Proposal, viewer: User | AnonymousUser | None) -> dict[str, Any]:
    if viewer is None or not viewer.is_authenticated:
        return {"supported": False, "following": False, "opinion": None, "is_author": False}
    opinion = ForumOpinion.objects.filter(proposal=p, user=viewer).values("stance", "body").first()
    return {
        "supported": Support.objects.filter(proposal=p, user=viewer).exists(),
        "following": p.follows.filter(user=viewer).exists(),
        "opinion": opinion,
        "is_author": viewer.pk == p.author_id,
    }


def supported_ids(user: User | AnonymousUser | None, ids: Iterable[int]) -> set[int]:
    if user is None or not user.is_authenticated:
        return set()
    return set(Support.objects.filter(user=user, proposal_id__in=list(ids)).values_list("proposal_id", flat=True))


def answers(p: Proposal) -> QuerySet[OfficialAnswer]:
    return p.answers.select_related("department").order_by("answered_at", "id")


def note_text(parts: Iterable[Sequence[Any]], note: str = "") -> str:
    """A timeline note in the active language: the platform's words (msgid and values) translated
    now, then what a person wrote."""
    texts = [gettext(str(msgid)) % dict(params or {}) for msgid, params in parts]
    return " ".join([*texts, note] if note else texts)


def timeline(p: Proposal) -> list[Any]:
    """The stage events, each note in the reader's language (not the language it was written in)."""
    events = list(p.stage_events.order_by("at", "id"))
    for e in events:
        if e.note_parts:
            e.note = note_text(e.note_parts)
    return events


@dataclass
class CommentNode:
    comment: Comment
    replies: list[CommentNode] = field(default_factory=list)
    depth: int = 0


def comment_tree(p: Proposal, *, viewer: User | AnonymousUser | None = None) -> list[CommentNode]:
    """Threaded comments; a hidden comment stays in the tree (its text withheld) so replies keep their place."""
    nodes: dict[int, CommentNode] = {}
    roots: list[CommentNode] = []
    for c in Comment.objects.filter(proposal=p).select_related("author").order_by("created_at", "id"):
        nodes[c.pk] = CommentNode(c)
    for node in nodes.values():
        parent = nodes.get(node.comment.parent_id) if node.comment.parent_id else None
        if parent is None:
            roots.append(node)
        else:
            node.depth = parent.depth + 1
            parent.replies.append(node)
    return roots


def opinions(p: Proposal, *, limit: int = 100) -> QuerySet[ForumOpinion]:
    return ForumOpinion.objects.filter(proposal=p, hidden=False).exclude(body="").select_related("user")[:limit]


# --- official queues and tracking ----------------------------------------------------------------


def answer_queue(user: User) -> dict[str, list[Proposal]]:
    """Everything waiting for this official: their department's answers, forum selection, mayor's answers."""
    base = Proposal.objects.select_related("district", "department")
    queues: dict[str, list[Proposal]] = {"department": [], "selection": [], "mayor": []}
    if user.is_official:
        dept = base.filter(stage__in=(Stage.DEPARTMENT_ANSWER_DUE, Stage.DECISION_DUE))
        if not is_city_admin(user):
            dept = dept.filter(department_id=user.department_id) if user.department_id else dept.none()
        queues["department"] = list(dept.order_by("answer_due_at", "id")[:200])
    if is_selection_group(user):
        queues["selection"] = list(base.filter(stage=Stage.FORUM_SELECTION).order_by("selection_due_at", "id")[:200])
    if is_mayor_office(user):
        queues["mayor"] = list(base.filter(stage=Stage.MAYOR_ANSWER_DUE).order_by("answer_due_at", "id")[:200])
    return queues


def answer_tracking(*, now: datetime | None = None) -> list[dict[str, Any]]:
    """Per department: answers owed now, of which overdue, answers given, of which late. Public."""
    now = now or clock.now()
    rows: dict[int | None, dict[str, Any]] = {}

    def row(dept_id: int | None) -> dict[str, Any]:
        if dept_id not in rows:
            rows[dept_id] = {"department_id": dept_id, "due": 0, "overdue": 0, "answered": 0, "late": 0}
        return rows[dept_id]

    pending = (
        Proposal.objects.filter(stage__in=(Stage.DEPARTMENT_ANSWER_DUE, Stage.DECISION_DUE))
        .values("department_id")
        .annotate(due=Count("id"), overdue=Count("id", filter=Q(answer_due_at__lt=now)))
    )
    for r in pending:
        target = row(r["department_id"])
        target["due"] += r["due"]
        target["overdue"] += r["overdue"]
    given = (
        OfficialAnswer.objects.exclude(kind="mayor")
        .values("department_id")
        .annotate(answered=Count("id"), n_late=Count("id", filter=Q(answered_at__gt=F("due_at"))))
    )
    for r in given:
        target = row(r["department_id"])
        target["answered"] += r["answered"]
        target["late"] += r["n_late"]
    from smartseoul.core.models import Department

    names: dict[int, Department] = {}
    for d in Department.objects.filter(pk__in=[k for k in rows if k is not None]).select_related("district"):
        names[d.pk] = d
    out = []
    for dept_id, r in rows.items():
        dept = names.get(dept_id) if dept_id is not None else None
        out.append(
            {
                **r,
                "department_code": dept.code if dept else "",
                "department_name": dept.name if dept else "",
                "district_code": dept.district.code if dept and dept.district else None,
            }
        )
    out.sort(key=lambda r: (-r["overdue"], -r["due"], r["department_code"]))
    return out


def mayor_tracking(*, now: datetime | None = None) -> dict[str, int]:
    now = now or clock.now()
    due = Proposal.objects.filter(stage=Stage.MAYOR_ANSWER_DUE)
    return {
        "due": due.count(),
        "overdue": due.filter(answer_due_at__lt=now).count(),
        "answered": OfficialAnswer.objects.filter(kind="mayor").count(),
    }


def due_for_reminder(*, now: datetime) -> QuerySet[Proposal]:
    return Proposal.objects.filter(
        Q(stage__in=ANSWER_DUE, answer_due_at__isnull=False) | Q(stage=Stage.FORUM_SELECTION)
    ).select_related("department")


def near_threshold(*, limit: int = 10, ratio: float = 0.7) -> list[dict[str, Any]]:
    """Open proposals that have at least `ratio` of their next threshold: the dashboard's "close to" list."""
    cfg = ladder_config()
    now = clock.now()
    out: list[dict[str, Any]] = []
    open_qs = Proposal.objects.filter(hidden=False, stage__in=OPEN_FOR_SUPPORT, support_deadline__gt=now)
    candidates = open_qs.filter(
        Q(support_count__gte=int(cfg.department_threshold * ratio), support_count__lt=cfg.department_threshold)
        | Q(support_count__gte=int(cfg.forum_threshold * ratio), support_count__lt=cfg.forum_threshold)
    ).order_by("-support_count")[:limit]
    for p in candidates:
        target = cfg.department_threshold if p.support_count < cfg.department_threshold else cfg.forum_threshold
        out.append(
            {
                "title": p.title,
                "url": proposal_url(p.pk),
                "value": p.support_count,
                "target": target,
                "kind": "supporters",
            }
        )
    forums = Proposal.objects.filter(
        hidden=False,
        stage=Stage.FORUM,
        forum_participants__gte=int(cfg.mayor_threshold * ratio),
        forum_participants__lt=cfg.mayor_threshold,
    ).order_by("-forum_participants")[:limit]
    for p in forums:
        out.append(
            {
                "title": p.title,
                "url": proposal_url(p.pk),
                "value": p.forum_participants,
                "target": cfg.mayor_threshold,
                "kind": "participants",
            }
        )
    out.sort(key=lambda r: -(r["value"] / max(r["target"], 1)))
    return out[:limit]


def stage_counts() -> dict[str, int]:
    return dict(Proposal.objects.filter(hidden=False).values_list("stage").annotate(n=Count("id")).order_by())


# --- for other modules (plain data) ----------------------------------------------------------------


def adopted_proposals(
    since: datetime | None = None, *, q: str | None = None, limit: int | None = None, offset: int = 0
) -> list[dict[str, Any]]:
    """Adopted and partly adopted proposals, for the participatory budget's "Democracy Seoul
    connection" type: plain dicts {id, title, category, district_code, url, stage, decided_at,
    budget_reference}. `since` filters on the decision date; `q` finds words of the title (each
    word must appear); `limit` keeps the newest decisions first (from `offset`)."""
    qs = Proposal.objects.filter(stage__in=(Stage.ADOPTED, Stage.PARTLY_ADOPTED), hidden=False)
    if since is not None:
        qs = qs.filter(closed_at__gte=since)
    for word in (q or "").split()[:8]:
        qs = qs.filter(title__icontains=word)
    ordered = qs.select_related("district").order_by("closed_at", "id")
    if limit is not None:
        ordered = qs.select_related("district").order_by("-closed_at", "-id")[offset : offset + limit]
    return [
        {
            "id": p.pk,
            "title": p.title,
            "category": p.category,
            "district_code": p.district.code if p.district else None,
            "url": proposal_url(p.pk),
            "stage": p.stage,
            "decided_at": p.closed_at,
            "budget_reference": p.budget_reference,
        }
        for p in ordered
    ]


def export_rows() -> Iterable[dict[str, Any]]:
    """Open data: every visible proposal with its counts, stage and answer dates; no personal data."""
    answered: dict[tuple[int, str], datetime] = {
        (pid, kind): at for pid, kind, at in OfficialAnswer.objects.values_list("proposal_id", "kind", "answered_at")
    }
    qs = Proposal.objects.filter(hidden=False).select_related("district", "department").order_by("id")
    for p in qs.iterator(chunk_size=1000):
        yield {
            "proposal_id": p.pk,
            "title": p.title,
            "category": p.category,
            "district_code": p.district.code if p.district else "",
            "stage": p.stage,
            "created_date": clock_date(p.created_at),
            "support_deadline": clock_date(p.support_deadline),
            "supporters": p.support_count,
            "forum_participants": p.forum_participants,
            "forum_pro": p.forum_pro,
            "forum_con": p.forum_con,
            "department_code": p.department.code if p.department else "",
            "department_answered": clock_date(answered.get((p.pk, "department"))),
            "final_answered": clock_date(answered.get((p.pk, "decision")) or answered.get((p.pk, "mayor"))),
            "budget_reference": p.budget_reference,
        }


def clock_date(value: datetime | None) -> str:
    from django.utils import timezone

    return timezone.localtime(value).date().isoformat() if value else ""


# --- moderation ----------------------------------------------------------------------------------


def moderation_queue() -> list[dict[str, Any]]:
    """Targets with pending reports, most reported first, with a short excerpt of the content."""
    pending = (
        Report.objects.filter(status=ReportStatus.PENDING)
        .values("target_kind", "target_id")
        .annotate(n=Count("id"))
        .order_by("-n", "target_kind", "target_id")[:200]
    )
    out = []
    for r in pending:
        obj = moderation_target(r["target_kind"], r["target_id"])
        if obj is None:
            continue
        text = getattr(obj, "title", "") or getattr(obj, "body", "")
        reasons = list(
            Report.objects.filter(
                target_kind=r["target_kind"], target_id=r["target_id"], status=ReportStatus.PENDING
            ).values_list("reason", flat=True)
        )
        out.append(
            {
                "kind": r["target_kind"],
                "id": r["target_id"],
                "reports": r["n"],
                "hidden": obj.hidden,
                "excerpt": text[:200],
                "reasons": sorted(set(reasons)),
                "kind_label": str(ReportTarget(r["target_kind"]).label),
                "reason_labels": [str(ReportReason(x).label) for x in sorted(set(reasons)) if x in ReportReason.values],
                "url": _target_url(r["target_kind"], obj),
            }
        )
    return out


def moderation_target(kind: str, target_id: int) -> Any:
    model = {
        ReportTarget.PROPOSAL: Proposal,
        ReportTarget.COMMENT: Comment,
        ReportTarget.OPINION: ForumOpinion,
        ReportTarget.RESPONSE: InquiryResponse,
    }.get(kind)  # type: ignore[call-overload]
    return model.objects.filter(pk=target_id).first() if model is not None else None


def _target_url(kind: str, obj: Any) -> str:
    if kind == ReportTarget.PROPOSAL:
        return proposal_url(obj.pk)
    if kind in (ReportTarget.COMMENT, ReportTarget.OPINION):
        return proposal_url(obj.proposal_id)
    return reverse("democracy:inquiry", args=[obj.inquiry_id])


# --- Seoul Inquires ------------------------------------------------------------------------------


def inquiries_public() -> QuerySet[Inquiry]:
    return Inquiry.objects.filter(opens_at__lte=clock.now()).select_related("department", "district")


def inquiry_get(inquiry_id: int, *, include_unopened: bool = False) -> Inquiry:
    inq = Inquiry.objects.select_related("department", "district").filter(pk=inquiry_id).first()
    if inq is None or (not include_unopened and inq.opens_at > clock.now()):
        raise DemocracyNotFound("No such inquiry.", code=DemocracyErrorCode.INQUIRY_NOT_FOUND)
    return inq


def inquiry_is_open(inq: Inquiry) -> bool:
    now = clock.now()
    return inq.opens_at <= now < inq.closes_at


def inquiry_responses(inq: Inquiry) -> QuerySet[InquiryResponse]:
    return inq.responses.filter(hidden=False).select_related("user").order_by("-created_at", "-id")


def user_has_responded(inq: Inquiry, user: User | AnonymousUser | None) -> str | None:
    if user is None or not user.is_authenticated:
        return None
    return InquiryResponse.objects.filter(inquiry=inq, user=user).values_list("body", flat=True).first()


def inquiry_vote_url(inq: Inquiry) -> str:
    """The vote's page in the voting module (empty when that module has no pages mounted)."""
    if not inq.vote_id:
        return ""
    from django.urls import NoReverseMatch

    try:
        return reverse("voting:detail", args=[int(inq.vote_id)])
    except NoReverseMatch:
        return ""


def inquiry_vote_results(inq: Inquiry) -> dict[str, Any] | None:
    """The vote's results from the voting module, once the vote is closed (results are public then)."""
    if not inq.vote_id:
        return None
    from smartseoul.voting import selectors as voting_selectors

    results: dict[str, Any] = voting_selectors.vote_results(int(inq.vote_id))
    return results if results.get("status") == "closed" else None


def site_search_hits(query: str, user: Any, limit: int) -> list[Any]:
    """Proposals (not hidden by moderation) whose title, problem or solution holds every word: the
    Democracy Seoul part of the site-wide search, most supported first."""
    from smartseoul.core.registry import SearchHit

    words = query.split()
    if not words:
        return []
    qs = Proposal.objects.filter(hidden=False)
    for w in words:
        qs = qs.filter(Q(title__icontains=w) | Q(problem__icontains=w) | Q(solution__icontains=w))
    return [SearchHit(title=p.title, url=reverse("democracy:proposal", args=[p.pk]),
                      summary=f"{p.get_stage_display()} · {p.get_category_display()}")
            for p in qs.order_by("-support_count", "-id")[:limit]]
