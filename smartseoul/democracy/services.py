"""Writes of Democracy Seoul. Each function is one transaction and raises the module's errors.

The ladder (see docs/democracy.md):

    deliberation ──≥ department threshold──▶ department_answer_due ──answer──▶ department_answered
         │ window ends below it                       │ answer after the window      │ window ends
         ▼                                            ▼                              ▼
      expired                  support ≥ forum threshold? ── no ──▶ closed
                                                      │ yes
                                                      ▼
                                               forum_selection ── declined ──▶ closed
                                                      │ opened by the Proposal Selection Group
                                                      ▼
                                                    forum ── closes ─▶ participants ≥ mayor threshold?
                                                               yes ▶ mayor_answer_due   no ▶ decision_due
                                                                         └──── answer with outcome ────┘
                                                                                       ▼
                                                               adopted / partly_adopted / not_adopted
                                                                       (adopted → may link a budget proposal)

Thresholds are "reached" moments: a supporter withdrawing later does not move a proposal back.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from smartseoul.accounts.models import User, Verification
from smartseoul.accounts.rules import require_verified
from smartseoul.core import clock, ratelimit
from smartseoul.core import selectors as core_selectors
from smartseoul.core.models import Channel
from smartseoul.core.services import audit_record, notify
from smartseoul.lib import uploads

from . import selectors
from .errors import (
    DemocracyConflict,
    DemocracyErrorCode,
    DemocracyForbidden,
    DemocracyInvalid,
    DemocracyNotFound,
)
from .models import (
    ANSWER_DUE,
    OUTCOMES,
    AnswerKind,
    Attachment,
    AttachmentKind,
    Category,
    Comment,
    Follow,
    ForumOpinion,
    Inquiry,
    InquiryMode,
    InquiryResponse,
    LadderConfig,
    OfficialAnswer,
    Proposal,
    Report,
    ReportReason,
    ReportStatus,
    ReportTarget,
    Stage,
    StageEvent,
    Support,
    Timing,
)

if TYPE_CHECKING:
    from django.http import HttpRequest

log = logging.getLogger("smartseoul.democracy")

MAX_ATTACHMENTS = 5
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000
IMAGE_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
DOCUMENT_TYPES = {"application/pdf"}
TITLE_MIN, TITLE_MAX = 5, 150
TEXT_MIN, TEXT_MAX = 10, 10_000
COMMENT_MAX = 3_000


class UploadLike(Protocol):
    name: str | None
    size: int | None

    def read(self, *args: Any) -> bytes: ...


# --- helpers ---------------------------------------------------------------------------------------


def _participation_level(cfg: LadderConfig) -> int:
    return Verification.REAL_NAME if cfg.require_real_name else Verification.PHONE


def _require_participant(user: User | None, level: int, what: str) -> User:
    """The citizen verified to `level` who may do `what` (the refusal names both)."""
    return require_verified(
        user, level, error=DemocracyForbidden, code=DemocracyErrorCode.VERIFICATION_REQUIRED,
        signed_out=_("Sign in to %(what)s.") % {"what": what},
        unverified=_("Only %(level)s citizens can %(what)s.") % {"level": Verification(level).label, "what": what},
        required=int(level),
    )


def _locked(proposal_id: int) -> Proposal:
    p = Proposal.objects.select_for_update().filter(pk=proposal_id).first()
    if p is None:
        raise DemocracyNotFound(_("No such proposal."), code=DemocracyErrorCode.PROPOSAL_NOT_FOUND)
    return p


def _clean_text(value: str, *, field: str, minimum: int, maximum: int) -> str:
    text = (value or "").strip()
    if len(text) < minimum:
        raise DemocracyInvalid(
            _("%(field)s is too short (at least %(n)s characters).") % {"field": field, "n": minimum}, field=field
        )
    if len(text) > maximum:
        raise DemocracyInvalid(
            _("%(field)s is too long (at most %(n)s characters).") % {"field": field, "n": maximum}, field=field
        )
    return text


def _clean_category(category: str) -> str:
    if category not in Category.values:
        raise DemocracyInvalid(
            _("Choose one of the proposal categories."),
            code=DemocracyErrorCode.BAD_CATEGORY,
            allowed=list(Category.values),
        )
    return category


def _district(code: str | None) -> Any:
    if not code or code == "city":
        return None
    return core_selectors.district_by_code(code)


def _route(category: str, district_code: str | None) -> Any:
    """The responsible department: the category's owner (the district's first, then city-wide),
    otherwise whoever takes general proposals."""
    for key in (category, "proposal", "democracy"):
        dept = core_selectors.departments_for(key, district_code).order_by("code").first()
        if dept is not None:
            return dept
        if district_code:
            dept = core_selectors.departments_for(key, None).order_by("code").first()
            if dept is not None:
                return dept
    return None


def _link(p: Proposal) -> str:
    return selectors.proposal_url(p.pk)


def _send(user: User, *, kind: str, subject: str, body: str, link: str, sms: bool = False) -> None:
    channels = (Channel.INBOX, Channel.SMS) if sms else (Channel.INBOX,)
    notify(recipient=user, kind=kind, subject=subject, body=body, link=link, channels=channels)


def _notify_followers(p: Proposal, *, note: str = "", parts: Sequence[NotePart] = ()) -> int:
    """Every follower hears of the stage change in their own language; the author also by SMS."""
    sent = 0
    link = _link(p)
    followers = User.objects.filter(democracy_follows__proposal=p, is_active=True).only(
        "id", "preferred_language", "phone_encrypted", "email"
    )
    for user in followers.iterator(chunk_size=500):
        with translation.override(user.preferred_language or "ko"):
            stage_label = str(Stage(p.stage).label)
            subject = _("Proposal update: %(stage)s") % {"stage": stage_label}
            body = _("“%(title)s” is now at the stage: %(stage)s.") % {"title": p.title, "stage": stage_label}
            text = selectors.note_text(parts, note)
            if text:
                body = f"{body}\n{text}"
        _send(
            user,
            kind=f"democracy.stage.{p.stage}",
            subject=subject,
            body=body,
            link=link,
            sms=user.pk == p.author_id,
        )
        sent += 1
    return sent


def _notify_group(users: Iterable[User], *, kind: str, subject: str, body: str, link: str) -> int:
    n = 0
    for user in users:
        _send(user, kind=kind, subject=subject, body=body, link=link)
        n += 1
    return n


NotePart = tuple[str, dict[str, Any]]
ANSWERED: NotePart = (gettext_noop("The department has answered."), {})


def _set_stage(
    p: Proposal, to: str, *, note: str = "", parts: Sequence[NotePart] = (), notify_followers: bool = True
) -> None:
    """Moves the proposal and writes the timeline. `parts` are the platform's words (msgids marked
    with gettext_noop, and their values), kept untranslated so every reader and every follower
    reads them in their own language; `note` is what a person wrote (a reason, an answer)."""
    before = p.stage
    now = clock.now()
    p.stage = to
    p.stage_changed_at = now
    p.updated_at = now
    p.save()
    StageEvent.objects.create(
        proposal=p,
        from_stage=before,
        to_stage=to,
        at=now,
        support_count=p.support_count,
        forum_participants=p.forum_participants,
        note=selectors.note_text(parts, note)[:300],
        note_parts=[[msgid, params] for msgid, params in parts],
    )
    if notify_followers:
        _notify_followers(p, note=note, parts=parts)


def _follow(p: Proposal, user: User) -> None:
    Follow.objects.bulk_create([Follow(proposal=p, user=user, created_at=clock.now())], ignore_conflicts=True)


def _audit(actor: User | None, action: str, target: Any, request: HttpRequest | None = None, **details: Any) -> None:
    audit_record(actor=actor, action=f"democracy.{action}", target=target, details=details, request=request)


# --- attachments -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CleanFile:
    kind: str
    name: str
    content_type: str
    data: bytes


def _clean_upload(upload: UploadLike) -> CleanFile:
    from PIL import Image, ImageOps

    name = (upload.name or "file").rsplit("/", 1)[-1][:120]
    data = upload.read(MAX_ATTACHMENT_BYTES + 1)
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise DemocracyInvalid(
            _("%(name)s is larger than 10 MB.") % {"name": name}, code=DemocracyErrorCode.BAD_ATTACHMENT
        )
    mime = uploads.sniff(data) or ""
    try:
        if mime in DOCUMENT_TYPES:
            uploads.check_pdf(data, name=name)
            return CleanFile(AttachmentKind.DOCUMENT, name, mime, data)
        uploads.check_image(data, name=name, max_pixels=MAX_IMAGE_PIXELS)
    except uploads.UploadRefused as exc:
        raise DemocracyInvalid(_refusal(exc.code, name), code=DemocracyErrorCode.BAD_ATTACHMENT) from exc
    with Image.open(io.BytesIO(data)) as img:
        img.load()
        clean = ImageOps.exif_transpose(img)  # keep the orientation, then drop every metadata block
        out = io.BytesIO()
        fmt = IMAGE_TYPES[mime]
        if fmt == "JPEG" and clean.mode not in ("RGB", "L"):
            clean = clean.convert("RGB")
        clean.save(out, format=fmt)  # no exif= argument: location and camera data are not copied
    return CleanFile(AttachmentKind.IMAGE, name, mime, out.getvalue())


def _refusal(code: str, name: str) -> str:
    """The message for a refused attachment, in the reader's language."""
    if code == uploads.CODE_EMPTY:
        return _("%(name)s is empty.") % {"name": name}
    if code == uploads.CODE_NAME:
        return _("%(name)s is not what its name says; attach the image or PDF itself.") % {"name": name}
    if code == uploads.CODE_MARKUP:
        return _("%(name)s carries a web page or script inside it and cannot be attached.") % {"name": name}
    if code == uploads.CODE_PIXELS:
        return _("%(name)s has too many pixels.") % {"name": name}
    if code == uploads.CODE_UNREADABLE:
        return _("%(name)s could not be read as an image.") % {"name": name}
    return _("%(name)s is not a JPEG, PNG, WebP image or a PDF document.") % {"name": name}


def _store_attachments(p: Proposal, files: Sequence[UploadLike]) -> list[Attachment]:
    existing = p.attachments.count()
    if existing + len(files) > MAX_ATTACHMENTS:
        raise DemocracyInvalid(
            _("At most %(n)s files per proposal.") % {"n": MAX_ATTACHMENTS},
            code=DemocracyErrorCode.TOO_MANY_ATTACHMENTS,
        )
    cleaned = [_clean_upload(f) for f in files]  # validate all before storing any
    stored = []
    for c in cleaned:
        a = Attachment(
            proposal=p, kind=c.kind, name=c.name, content_type=c.content_type, size=len(c.data), created_at=clock.now()
        )
        ext = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "application/pdf": "pdf"}[c.content_type]
        a.file.save(f"p{p.pk}.{ext}", ContentFile(c.data), save=False)
        a.save()
        stored.append(a)
    return stored


# --- proposals -------------------------------------------------------------------------------------


@transaction.atomic
def proposal_create(
    *,
    author: User,
    title: str,
    problem: str,
    solution: str,
    category: str,
    district_code: str | None = None,
    files: Sequence[UploadLike] = (),
) -> Proposal:
    """A verified citizen's proposal opens for support for the city's window (30 days in Seoul)."""
    cfg = selectors.ladder_config()
    _require_participant(author, _participation_level(cfg), _("propose"))
    title = _clean_text(title, field="title", minimum=TITLE_MIN, maximum=TITLE_MAX)
    problem = _clean_text(problem, field="problem", minimum=TEXT_MIN, maximum=TEXT_MAX)
    solution = _clean_text(solution, field="solution", minimum=TEXT_MIN, maximum=TEXT_MAX)
    category = _clean_category(category)
    district = _district(district_code)
    ratelimit.hit(
        f"democracy:propose:{author.pk}",
        limit=10,
        window_seconds=86400,
        message=_("You have proposed a lot today; please try again tomorrow."),
    )
    now = clock.now()
    p = Proposal.objects.create(
        author=author,
        title=title,
        problem=problem,
        solution=solution,
        category=category,
        district=district,
        stage=Stage.DELIBERATION,
        created_at=now,
        updated_at=now,
        stage_changed_at=now,
        support_deadline=now + timedelta(days=cfg.support_window_days),
        department=_route(category, district.code if district else None),
    )
    StageEvent.objects.create(proposal=p, from_stage="", to_stage=Stage.DELIBERATION, at=now)
    if files:
        _store_attachments(p, files)
    _follow(p, author)
    return p


@transaction.atomic
def proposal_update(
    *,
    proposal_id: int,
    actor: User,
    title: str | None = None,
    problem: str | None = None,
    solution: str | None = None,
    category: str | None = None,
    district_code: str | None = None,
    files: Sequence[UploadLike] = (),
    remove_attachment_ids: Sequence[int] = (),
) -> Proposal:
    """The author edits until the first support arrives."""
    p = _locked(proposal_id)
    if actor is None or p.author_id != actor.pk:
        raise DemocracyForbidden(_("Only the author can edit a proposal."), code=DemocracyErrorCode.NOT_AUTHOR)
    if not selectors.editable(p):
        raise DemocracyConflict(
            _("A proposal can be edited only until its first support."), code=DemocracyErrorCode.PROPOSAL_LOCKED
        )
    if title is not None:
        p.title = _clean_text(title, field="title", minimum=TITLE_MIN, maximum=TITLE_MAX)
    if problem is not None:
        p.problem = _clean_text(problem, field="problem", minimum=TEXT_MIN, maximum=TEXT_MAX)
    if solution is not None:
        p.solution = _clean_text(solution, field="solution", minimum=TEXT_MIN, maximum=TEXT_MAX)
    if category is not None or district_code is not None:
        if category is not None:
            p.category = _clean_category(category)
        if district_code is not None:
            p.district = _district(district_code)
        p.department = _route(p.category, p.district.code if p.district else None)
    p.updated_at = clock.now()
    p.save()
    if remove_attachment_ids:
        for a in p.attachments.filter(pk__in=list(remove_attachment_ids)):
            a.file.delete(save=False)
            a.delete()
    if files:
        _store_attachments(p, files)
    return p


@transaction.atomic
def proposal_withdraw(*, proposal_id: int, actor: User, reason: str = "") -> Proposal:
    """The author withdraws while the proposal is still gathering support (before the city owes an answer)."""
    p = _locked(proposal_id)
    if actor is None or p.author_id != actor.pk:
        raise DemocracyForbidden(_("Only the author can withdraw a proposal."), code=DemocracyErrorCode.NOT_AUTHOR)
    if p.stage != Stage.DELIBERATION:
        raise DemocracyConflict(
            _("Once a department owes an answer, the proposal can no longer be withdrawn."),
            code=DemocracyErrorCode.WRONG_STAGE,
            stage=p.stage,
        )
    p.closed_at = clock.now()
    _set_stage(p, Stage.WITHDRAWN, note=reason.strip()[:300])
    return p


# --- support ---------------------------------------------------------------------------------------


@transaction.atomic
def support_add(*, proposal_id: int, user: User) -> Proposal:
    """One support per person (real-name level where the city requires it). Crossing the department
    threshold puts the proposal on the department's desk with a due date."""
    cfg = selectors.ladder_config()
    _require_participant(user, _participation_level(cfg), _("support proposals"))
    ratelimit.hit(f"democracy:support:{user.pk}", limit=120, window_seconds=3600)
    p = _locked(proposal_id)
    if p.hidden:
        raise DemocracyNotFound(_("No such proposal."), code=DemocracyErrorCode.PROPOSAL_NOT_FOUND)
    if not selectors.support_open(p):
        raise DemocracyConflict(_("This proposal no longer takes support."), code=DemocracyErrorCode.PROPOSAL_CLOSED)
    if p.author_id == user.pk:
        raise DemocracyConflict(_("You cannot support your own proposal."), code=DemocracyErrorCode.OWN_PROPOSAL)
    now = clock.now()
    # The proposal row is locked, so this check cannot race; the unique constraint stays as a backstop.
    if Support.objects.filter(proposal=p, user=user).exists():
        raise DemocracyConflict(_("You already support this proposal."), code=DemocracyErrorCode.ALREADY_SUPPORTED)
    Support.objects.create(proposal=p, user=user, created_at=now)
    p.support_count += 1  # exact: the row is locked for this transaction
    p.first_support_at = p.first_support_at or now
    p.updated_at = now
    p.save(update_fields=["support_count", "first_support_at", "updated_at"])
    _follow(p, user)
    if p.stage == Stage.DELIBERATION and p.support_count >= cfg.department_threshold:
        _to_department(p, cfg)
    return p


def _to_department(p: Proposal, cfg: LadderConfig) -> None:
    if p.department_id is None:
        p.department = _route(p.category, p.district.code if p.district else None)
    p.answer_due_at = clock.now() + timedelta(days=cfg.department_answer_days)
    due = selectors.clock_date(p.answer_due_at)
    _set_stage(
        p,
        Stage.DEPARTMENT_ANSWER_DUE,
        parts=[
            (
                gettext_noop("%(n)s citizens support it; the department answers by %(due)s."),
                {"n": p.support_count, "due": due},
            )
        ],
    )
    _notify_group(
        selectors.department_officials(p.department_id),
        kind="democracy.answer_requested",
        subject=_("A citizens' proposal needs your department's answer"),
        body=_("“%(title)s” reached %(n)s supporters. Answer by %(due)s.")
        % {"title": p.title, "n": p.support_count, "due": due},
        link=_link(p),
    )


@transaction.atomic
def support_withdraw(*, proposal_id: int, user: User) -> Proposal:
    """A supporter takes the support back while the proposal is open."""
    p = _locked(proposal_id)
    if p.hidden:
        raise DemocracyNotFound(_("No such proposal."), code=DemocracyErrorCode.PROPOSAL_NOT_FOUND)
    if not selectors.support_open(p):
        raise DemocracyConflict(
            _("Support can be withdrawn only while the proposal is open."), code=DemocracyErrorCode.PROPOSAL_CLOSED
        )
    deleted, _rows = Support.objects.filter(proposal=p, user=user).delete()
    if not deleted:
        raise DemocracyConflict(_("You do not support this proposal."), code=DemocracyErrorCode.NOT_SUPPORTED)
    p.support_count -= 1  # exact: the row is locked for this transaction
    p.updated_at = clock.now()
    p.save(update_fields=["support_count", "updated_at"])
    return p


@transaction.atomic
def follow_set(*, proposal_id: int, user: User, follow: bool) -> bool:
    if user is None or not user.is_authenticated:
        raise DemocracyForbidden(_("Sign in to follow proposals."), code=DemocracyErrorCode.VERIFICATION_REQUIRED)
    p = selectors.proposal_get(proposal_id, viewer=user)
    if follow:
        _follow(p, user)
    else:
        Follow.objects.filter(proposal=p, user=user).delete()
    return follow


# --- official answers ------------------------------------------------------------------------------


@transaction.atomic
def answer_create(
    *, proposal_id: int, actor: User, body: str, outcome: str = "", request: HttpRequest | None = None
) -> OfficialAnswer:
    """The answer the proposal's stage owes: the department's first answer, the final answer after a
    forum (department, with an outcome), or the mayor's answer (with an outcome)."""
    p = _locked(proposal_id)
    cfg = selectors.ladder_config()
    text = _clean_text(body, field="answer", minimum=TEXT_MIN, maximum=TEXT_MAX)
    now = clock.now()
    if p.stage == Stage.DEPARTMENT_ANSWER_DUE:
        kind = AnswerKind.DEPARTMENT
        if not selectors.can_answer_for(actor, p):
            raise DemocracyForbidden(
                _("Only the responsible department answers this proposal."), code=DemocracyErrorCode.NOT_RESPONSIBLE
            )
        if outcome:
            raise DemocracyInvalid(
                _("The department's first answer has no outcome; the outcome comes after the forum."),
                code=DemocracyErrorCode.BAD_OUTCOME,
            )
    elif p.stage in (Stage.DECISION_DUE, Stage.MAYOR_ANSWER_DUE):
        kind = AnswerKind.MAYOR if p.stage == Stage.MAYOR_ANSWER_DUE else AnswerKind.DECISION
        allowed = (
            (selectors.is_mayor_office(actor) or selectors.is_city_admin(actor))
            if kind == AnswerKind.MAYOR
            else selectors.can_answer_for(actor, p)
        )
        if not allowed:
            raise DemocracyForbidden(
                _("Only the mayor's office answers this proposal.")
                if kind == AnswerKind.MAYOR
                else _("Only the responsible department answers this proposal."),
                code=DemocracyErrorCode.NOT_RESPONSIBLE,
            )
        if outcome not in [s.value for s in OUTCOMES]:
            raise DemocracyInvalid(
                _("Choose adopted, partly adopted or not adopted, and give the reasons."),
                code=DemocracyErrorCode.BAD_OUTCOME,
                allowed=[s.value for s in OUTCOMES],
            )
    else:
        raise DemocracyConflict(
            _("No answer is due for this proposal now."), code=DemocracyErrorCode.WRONG_STAGE, stage=p.stage
        )
    answer = OfficialAnswer.objects.create(
        proposal=p,
        kind=kind,
        department=p.department if kind != AnswerKind.MAYOR else actor.department,
        author=actor,
        body=text,
        outcome=outcome,
        due_at=p.answer_due_at,
        answered_at=now,
    )
    _audit(
        actor,
        f"answer_{kind}",
        p,
        request,
        outcome=outcome,
        late=answer.late,
        department=p.department.code if p.department else "",
    )
    p.answer_due_at = None
    p.last_reminder_on = None
    if kind == AnswerKind.DEPARTMENT:
        if now >= p.support_deadline:
            _after_support_window(p, cfg, answered=True)
        else:
            _set_stage(p, Stage.DEPARTMENT_ANSWERED, parts=[ANSWERED])
    else:
        p.closed_at = now
        _set_stage(p, outcome, note=text[:300])
    return answer


def _after_support_window(p: Proposal, cfg: LadderConfig, *, answered: bool = False) -> None:
    """Support window over and the department has answered: a forum candidate or closed."""
    first: list[NotePart] = [ANSWERED] if answered else []
    if p.support_count >= cfg.forum_threshold:
        p.selection_due_at = clock.now() + timedelta(days=cfg.selection_days)
        _set_stage(
            p,
            Stage.FORUM_SELECTION,
            parts=[
                *first,
                (
                    gettext_noop("With %(n)s supporters the Proposal Selection Group decides on a public forum."),
                    {"n": p.support_count},
                ),
            ],
        )
        _notify_group(
            selectors.users_with_capability("proposal_selection"),
            kind="democracy.selection_requested",
            subject=_("A proposal awaits the Proposal Selection Group"),
            body=_("“%(title)s” has %(n)s supporters and may go to a public forum.")
            % {"title": p.title, "n": p.support_count},
            link=_link(p),
        )
    else:
        p.closed_at = clock.now()
        _set_stage(
            p,
            Stage.CLOSED,
            parts=[*first, (gettext_noop("Support closed with %(n)s supporters."), {"n": p.support_count})],
        )


@transaction.atomic
def proposal_reassign(
    *, proposal_id: int, actor: User, department_code: str, reason: str, request: HttpRequest | None = None
) -> Proposal:
    """The current department (or a city administrator) hands the proposal to the right department."""
    p = _locked(proposal_id)
    if not selectors.can_answer_for(actor, p):
        raise DemocracyForbidden(
            _("Only the responsible department or a city administrator can transfer it."),
            code=DemocracyErrorCode.NOT_RESPONSIBLE,
        )
    reason = _clean_text(reason, field="reason", minimum=5, maximum=500)
    dept = core_selectors.department_by_code(department_code)
    before = p.department.code if p.department else ""
    p.department = dept
    p.updated_at = clock.now()
    p.save(update_fields=["department", "updated_at"])
    _audit(actor, "reassign", p, request, before=before, after=dept.code, reason=reason)
    if p.stage in ANSWER_DUE:
        _notify_group(
            selectors.department_officials(dept.pk),
            kind="democracy.answer_requested",
            subject=_("A citizens' proposal needs your department's answer"),
            body=_("“%(title)s” was transferred to your department: %(reason)s") % {"title": p.title, "reason": reason},
            link=_link(p),
        )
    return p


# --- forum -----------------------------------------------------------------------------------------


@transaction.atomic
def forum_open(*, proposal_id: int, actor: User, note: str = "", request: HttpRequest | None = None) -> Proposal:
    if not selectors.is_selection_group(actor):
        raise DemocracyForbidden(
            _("Only the Proposal Selection Group opens forums."), code=DemocracyErrorCode.NOT_RESPONSIBLE
        )
    p = _locked(proposal_id)
    if p.stage != Stage.FORUM_SELECTION:
        raise DemocracyConflict(
            _("This proposal is not awaiting forum selection."), code=DemocracyErrorCode.WRONG_STAGE, stage=p.stage
        )
    cfg = selectors.ladder_config()
    now = clock.now()
    p.forum_opened_at = now
    p.forum_closes_at = now + timedelta(days=cfg.forum_days)
    p.selection_note = note.strip()[:2000]
    p.selection_due_at = None
    p.last_reminder_on = None
    _audit(actor, "forum_open", p, request, closes=selectors.clock_date(p.forum_closes_at))
    _set_stage(
        p,
        Stage.FORUM,
        parts=[
            (
                gettext_noop("The public forum is open until %(date)s."),
                {"date": selectors.clock_date(p.forum_closes_at)},
            )
        ],
    )
    return p


@transaction.atomic
def forum_decline(*, proposal_id: int, actor: User, reason: str, request: HttpRequest | None = None) -> Proposal:
    if not selectors.is_selection_group(actor):
        raise DemocracyForbidden(
            _("Only the Proposal Selection Group decides on forums."), code=DemocracyErrorCode.NOT_RESPONSIBLE
        )
    reason = _clean_text(reason, field="reason", minimum=TEXT_MIN, maximum=2000)
    p = _locked(proposal_id)
    if p.stage != Stage.FORUM_SELECTION:
        raise DemocracyConflict(
            _("This proposal is not awaiting forum selection."), code=DemocracyErrorCode.WRONG_STAGE, stage=p.stage
        )
    p.selection_note = reason
    p.selection_due_at = None
    p.closed_at = clock.now()
    _audit(actor, "forum_decline", p, request)
    _set_stage(p, Stage.CLOSED, parts=[(gettext_noop("No public forum: %(reason)s"), {"reason": reason[:250]})])
    return p


@transaction.atomic
def opinion_set(*, proposal_id: int, user: User, stance: str, body: str = "") -> ForumOpinion:
    """A forum participant states (or changes) their pro/con opinion; each person counts once."""
    cfg = selectors.ladder_config()
    _require_participant(user, _participation_level(cfg), _("take part in forums"))
    if stance not in ("pro", "con"):
        raise DemocracyInvalid(_("Choose for or against."), field="stance")
    text = (body or "").strip()
    if len(text) > COMMENT_MAX:
        raise DemocracyInvalid(_("The opinion is too long."), field="body")
    p = _locked(proposal_id)
    if p.hidden:
        raise DemocracyNotFound(_("No such proposal."), code=DemocracyErrorCode.PROPOSAL_NOT_FOUND)
    if not selectors.forum_open(p):
        raise DemocracyConflict(_("The forum is not open."), code=DemocracyErrorCode.WRONG_STAGE, stage=p.stage)
    ratelimit.hit(f"democracy:opinion:{user.pk}", limit=60, window_seconds=3600)
    now = clock.now()
    op = ForumOpinion.objects.filter(proposal=p, user=user).first()
    if op is None:
        op = ForumOpinion.objects.create(
            proposal=p, user=user, stance=stance, body=text, created_at=now, updated_at=now
        )
        p.forum_participants = F("forum_participants") + 1
        if stance == "pro":
            p.forum_pro = F("forum_pro") + 1
        else:
            p.forum_con = F("forum_con") + 1
    else:
        if op.stance != stance:
            if stance == "pro":
                p.forum_pro, p.forum_con = F("forum_pro") + 1, F("forum_con") - 1
            else:
                p.forum_pro, p.forum_con = F("forum_pro") - 1, F("forum_con") + 1
        op.stance, op.body, op.updated_at = stance, text, now
        op.save(update_fields=["stance", "body", "updated_at"])
    p.save(update_fields=["forum_participants", "forum_pro", "forum_con"])
    _follow(p, user)
    return op


# --- comments --------------------------------------------------------------------------------------


@transaction.atomic
def comment_add(*, proposal_id: int, author: User, body: str, parent_id: int | None = None) -> Comment:
    _require_participant(author, Verification.PHONE, _("comment"))
    text = _clean_text(body, field="comment", minimum=1, maximum=COMMENT_MAX)
    p = selectors.proposal_get(proposal_id, viewer=author)
    if p.stage == Stage.WITHDRAWN:
        raise DemocracyConflict(_("This proposal was withdrawn."), code=DemocracyErrorCode.WRONG_STAGE)
    parent = None
    if parent_id is not None:
        parent = Comment.objects.filter(pk=parent_id, proposal=p).first()
        if parent is None:
            raise DemocracyNotFound(_("No such comment."), code=DemocracyErrorCode.COMMENT_NOT_FOUND)
    ratelimit.hit(f"democracy:comment:{author.pk}", limit=30, window_seconds=600)
    c = Comment.objects.create(proposal=p, parent=parent, author=author, body=text, created_at=clock.now())
    if parent is not None and parent.author_id and parent.author_id != author.pk and parent.author is not None:
        _send(
            parent.author,
            kind="democracy.reply",
            subject=_("Someone replied to your comment"),
            body=text[:200],
            link=_link(p),
        )
    return c


# --- budget link -----------------------------------------------------------------------------------


@transaction.atomic
def proposal_link_budget(*, proposal_id: int, budget_reference: str, actor: User | None) -> Proposal:
    """Links an adopted (or partly adopted) proposal to a participatory-budget proposal of the next
    cycle. Called by the budget module (actor = the official who made the link). Idempotent for the
    same reference; a different reference is a conflict."""
    if actor is None or not actor.is_authenticated or not actor.is_official:
        raise DemocracyForbidden(
            _("Only officials link proposals to the budget."), code=DemocracyErrorCode.NOT_RESPONSIBLE
        )
    reference = _clean_text(budget_reference, field="budget_reference", minimum=1, maximum=120)
    p = _locked(proposal_id)
    if p.stage not in (Stage.ADOPTED, Stage.PARTLY_ADOPTED):
        raise DemocracyConflict(
            _("Only adopted proposals can become budget proposals."), code=DemocracyErrorCode.WRONG_STAGE, stage=p.stage
        )
    if p.budget_reference == reference:
        return p
    if p.budget_reference:
        raise DemocracyConflict(
            _("This proposal is already linked to another budget proposal."),
            code=DemocracyErrorCode.WRONG_STAGE,
            budget_reference=p.budget_reference,
        )
    p.budget_reference = reference
    p.budget_linked_at = clock.now()
    p.updated_at = p.budget_linked_at
    p.save(update_fields=["budget_reference", "budget_linked_at", "updated_at"])
    StageEvent.objects.create(
        proposal=p,
        from_stage=p.stage,
        to_stage=p.stage,
        at=p.budget_linked_at,
        support_count=p.support_count,
        forum_participants=p.forum_participants,
        note=f"budget:{reference}"[:300],
    )
    _audit(actor, "budget_link", p, budget_reference=reference)
    _notify_followers(p, note=_("It became a participatory budget proposal (%(ref)s).") % {"ref": reference})
    return p


# --- the daily ladder run --------------------------------------------------------------------------


def ladder_tick(*, today: date | None = None) -> dict[str, int]:
    """Daily housekeeping driven by the platform clock: expiry at the end of the support window,
    forum results, reminders before and after due dates. Each proposal moves in its own transaction;
    running it twice on one day changes nothing more."""
    now = clock.now()
    today = today or clock.today_local().date()
    counts = {"expired": 0, "window_closed": 0, "forums_closed": 0, "reminders": 0}
    for pid in Proposal.objects.filter(stage=Stage.DELIBERATION, support_deadline__lte=now).values_list(
        "pk", flat=True
    ):
        counts["expired"] += _expire(pid)
    for pid in Proposal.objects.filter(stage=Stage.DEPARTMENT_ANSWERED, support_deadline__lte=now).values_list(
        "pk", flat=True
    ):
        counts["window_closed"] += _close_window(pid)
    for pid in Proposal.objects.filter(stage=Stage.FORUM, forum_closes_at__lte=now).values_list("pk", flat=True):
        counts["forums_closed"] += _close_forum(pid)
    for pid in selectors.due_for_reminder(now=now).exclude(last_reminder_on=today).values_list("pk", flat=True):
        counts["reminders"] += _remind(pid, today)
    return counts


@transaction.atomic
def _expire(proposal_id: int) -> int:
    p = _locked(proposal_id)
    if p.stage != Stage.DELIBERATION or p.support_deadline > clock.now():
        return 0
    p.closed_at = clock.now()
    _set_stage(
        p, Stage.EXPIRED, parts=[(gettext_noop("Support closed with %(n)s supporters."), {"n": p.support_count})]
    )
    return 1


@transaction.atomic
def _close_window(proposal_id: int) -> int:
    p = _locked(proposal_id)
    if p.stage != Stage.DEPARTMENT_ANSWERED or p.support_deadline > clock.now():
        return 0
    _after_support_window(p, selectors.ladder_config())
    return 1


@transaction.atomic
def _close_forum(proposal_id: int) -> int:
    p = _locked(proposal_id)
    if p.stage != Stage.FORUM or p.forum_closes_at is None or p.forum_closes_at > clock.now():
        return 0
    cfg = selectors.ladder_config()
    p.answer_due_at = clock.now() + timedelta(days=cfg.decision_answer_days)
    due = selectors.clock_date(p.answer_due_at)
    if p.forum_participants >= cfg.mayor_threshold:
        _set_stage(
            p,
            Stage.MAYOR_ANSWER_DUE,
            parts=[
                (
                    gettext_noop("%(n)s citizens took part in the forum; the mayor answers by %(due)s."),
                    {"n": p.forum_participants, "due": due},
                )
            ],
        )
        _notify_group(
            selectors.users_with_capability("mayor"),
            kind="democracy.mayor_answer_requested",
            subject=_("A proposal needs the mayor's answer"),
            body=_("“%(title)s”: %(n)s forum participants. Answer by %(due)s.")
            % {"title": p.title, "n": p.forum_participants, "due": due},
            link=_link(p),
        )
    else:
        _set_stage(
            p,
            Stage.DECISION_DUE,
            parts=[
                (
                    gettext_noop(
                        "The forum closed with %(n)s participants; the department gives the final answer by %(due)s."
                    ),
                    {"n": p.forum_participants, "due": due},
                )
            ],
        )
        _notify_group(
            selectors.department_officials(p.department_id),
            kind="democracy.answer_requested",
            subject=_("A proposal needs your department's final answer"),
            body=_("“%(title)s”: the forum closed. Answer by %(due)s.") % {"title": p.title, "due": due},
            link=_link(p),
        )
    return 1


@transaction.atomic
def _remind(proposal_id: int, today: date) -> int:
    """One reminder a day at most: once shortly before the due date, then every day it is overdue."""
    p = _locked(proposal_id)
    if p.last_reminder_on == today:
        return 0
    cfg = selectors.ladder_config()
    now = clock.now()
    if p.stage == Stage.FORUM_SELECTION:
        due, recipients, who = p.selection_due_at, selectors.users_with_capability("proposal_selection"), "selection"
    elif p.stage == Stage.MAYOR_ANSWER_DUE:
        due, recipients, who = p.answer_due_at, selectors.users_with_capability("mayor"), "mayor"
    elif p.stage in ANSWER_DUE:
        due, recipients, who = p.answer_due_at, selectors.department_officials(p.department_id), "department"
    else:
        return 0
    if due is None:
        return 0
    overdue = now >= due
    due_soon = not overdue and due - now <= timedelta(days=cfg.reminder_days_before)
    if not (overdue or (due_soon and p.last_reminder_on is None)):
        return 0
    days = (now - due).days if overdue else 0
    subject = (
        _("Overdue: a citizens' proposal is waiting for an answer")
        if overdue
        else _("Reminder: a citizens' proposal is due soon")
    )
    body = (
        _("“%(title)s” was due on %(due)s (%(days)s days ago).")
        % {"title": p.title, "due": selectors.clock_date(due), "days": days}
        if overdue
        else _("“%(title)s” is due on %(due)s.") % {"title": p.title, "due": selectors.clock_date(due)}
    )
    sent = _notify_group(
        recipients,
        kind=f"democracy.reminder.{'overdue' if overdue else 'due'}.{who}",
        subject=subject,
        body=body,
        link=_link(p),
    )
    p.last_reminder_on = today
    p.save(update_fields=["last_reminder_on"])
    if overdue:
        audit_record(
            actor=None,
            action="democracy.answer_overdue",
            target=p,
            details={"who": who, "days": days, "department": p.department.code if p.department else ""},
        )
    return 1 if sent or overdue else 0


# --- moderation ------------------------------------------------------------------------------------


_TARGETS: dict[str, Any] = {
    ReportTarget.PROPOSAL: Proposal,
    ReportTarget.COMMENT: Comment,
    ReportTarget.OPINION: ForumOpinion,
    ReportTarget.RESPONSE: InquiryResponse,
}


@transaction.atomic
def report_create(*, reporter: User, target_kind: str, target_id: int, reason: str, note: str = "") -> Report:
    """A verified citizen reports content. At the city's number of pending reports the content is
    hidden until a moderator decides."""
    _require_participant(reporter, Verification.PHONE, _("report content"))
    model = _TARGETS.get(target_kind)
    if model is None:
        raise DemocracyInvalid(_("Unknown kind of content."), field="target_kind")
    if reason not in ReportReason.values:
        raise DemocracyInvalid(_("Choose a reason for the report."), field="reason")
    target = model.objects.select_for_update().filter(pk=target_id).first()
    if target is None:
        raise DemocracyNotFound(_("Nothing to report there."), code=DemocracyErrorCode.REPORT_NOT_FOUND)
    ratelimit.hit(f"democracy:report:{reporter.pk}", limit=30, window_seconds=3600)
    try:
        with transaction.atomic():
            report = Report.objects.create(
                target_kind=target_kind,
                target_id=target_id,
                reporter=reporter,
                reason=reason,
                note=note.strip()[:500],
                created_at=clock.now(),
            )
    except IntegrityError as exc:
        raise DemocracyConflict(_("You have already reported this."), code=DemocracyErrorCode.ALREADY_REPORTED) from exc
    target.report_count = F("report_count") + 1
    target.save(update_fields=["report_count"])
    pending = Report.objects.filter(target_kind=target_kind, target_id=target_id, status=ReportStatus.PENDING).count()
    cfg = selectors.ladder_config()
    if pending >= cfg.reports_to_hide and not target.hidden:
        model.objects.filter(pk=target_id).update(hidden=True)
        audit_record(
            actor=None,
            action="democracy.auto_hide",
            target_type=f"democracy.{target_kind}",
            target_id=str(target_id),
            details={"pending_reports": pending},
        )
        _notify_group(
            selectors.users_with_capability("moderator"),
            kind="democracy.moderation",
            subject=_("Content hidden pending review"),
            body=_("A %(kind)s was hidden after %(n)s reports.") % {"kind": target_kind, "n": pending},
            link="/democracy/office/moderation/",
        )
    return report


@transaction.atomic
def moderation_decide(
    *, actor: User, target_kind: str, target_id: int, uphold: bool, note: str = "", request: HttpRequest | None = None
) -> int:
    """A moderator decides every pending report on one piece of content: uphold (hide it) or dismiss
    (show it). The decision goes to the audit log. Returns how many reports were decided."""
    if not selectors.is_moderator(actor):
        raise DemocracyForbidden(_("Only moderators decide on reports."), code=DemocracyErrorCode.NOT_RESPONSIBLE)
    model = _TARGETS.get(target_kind)
    if model is None:
        raise DemocracyInvalid(_("Unknown kind of content."), field="target_kind")
    target = model.objects.select_for_update().filter(pk=target_id).first()
    if target is None:
        raise DemocracyNotFound(_("Nothing to decide there."), code=DemocracyErrorCode.REPORT_NOT_FOUND)
    pending = Report.objects.select_for_update().filter(
        target_kind=target_kind, target_id=target_id, status=ReportStatus.PENDING
    )
    n = pending.count()
    if not n:
        raise DemocracyConflict(_("No pending reports on this content."), code=DemocracyErrorCode.REPORT_NOT_FOUND)
    status = ReportStatus.UPHELD if uphold else ReportStatus.DISMISSED
    pending.update(status=status, decided_by=actor, decided_at=clock.now(), decision_note=note.strip()[:500])
    model.objects.filter(pk=target_id).update(hidden=uphold)
    audit_record(
        actor=actor,
        action="democracy.moderation_decision",
        target_type=f"democracy.{target_kind}",
        target_id=str(target_id),
        request=request,
        details={"decision": "uphold" if uphold else "dismiss", "reports": n, "note": note.strip()[:200]},
    )
    return n


def _forget_ladder_config() -> None:
    from django.core.cache import cache

    cache.delete(selectors.LADDER_CACHE_KEY)


# --- configuration ---------------------------------------------------------------------------------


CONFIG_FIELDS: dict[str, tuple[int, int]] = {
    "support_window_days": (1, 365),
    "department_threshold": (1, 10_000_000),
    "forum_threshold": (1, 10_000_000),
    "mayor_threshold": (1, 10_000_000),
    "forum_days": (1, 365),
    "department_answer_days": (1, 365),
    "selection_days": (1, 365),
    "decision_answer_days": (1, 365),
    "reminder_days_before": (0, 60),
    "reports_to_hide": (1, 1000),
}


@transaction.atomic
def ladder_config_update(*, actor: User, request: HttpRequest | None = None, **values: Any) -> LadderConfig:
    """City administrators set the ladder. Validates everything before storing anything."""
    if not selectors.is_city_admin(actor):
        raise DemocracyForbidden(
            _("Only city administrators change the ladder."), code=DemocracyErrorCode.NOT_RESPONSIBLE
        )
    city = core_selectors.city()
    if city is None:
        raise DemocracyInvalid(_("Load the city first."), code=DemocracyErrorCode.BAD_CONFIG)
    cfg, _created = LadderConfig.objects.select_for_update().get_or_create(city=city)
    before = {k: getattr(cfg, k) for k in [*CONFIG_FIELDS, "require_real_name"]}
    for key, value in values.items():
        if key == "require_real_name":
            cfg.require_real_name = bool(value)
            continue
        if key not in CONFIG_FIELDS:
            raise DemocracyInvalid(_("Unknown setting %(key)s.") % {"key": key}, code=DemocracyErrorCode.BAD_CONFIG)
        low, high = CONFIG_FIELDS[key]
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise DemocracyInvalid(
                _("%(key)s must be a whole number from %(low)s to %(high)s.") % {"key": key, "low": low, "high": high},
                code=DemocracyErrorCode.BAD_CONFIG,
                field=key,
            )
        setattr(cfg, key, value)
    if cfg.forum_threshold < cfg.department_threshold:
        raise DemocracyInvalid(
            _("The forum threshold cannot be below the department threshold."),
            code=DemocracyErrorCode.BAD_CONFIG,
            field="forum_threshold",
        )
    cfg.updated_at = clock.now()
    cfg.updated_by = actor
    cfg.save()
    _forget_ladder_config()
    transaction.on_commit(_forget_ladder_config)
    after = {k: getattr(cfg, k) for k in before}
    audit_record(
        actor=actor,
        action="democracy.config_update",
        target=cfg,
        request=request,
        details={"before": before, "after": after},
    )
    return cfg


# --- Seoul Inquires --------------------------------------------------------------------------------


@transaction.atomic
def inquiry_create(
    *,
    actor: User,
    title: str,
    question: str,
    background: str = "",
    timing: str = Timing.BEFORE,
    mode: str = InquiryMode.COMMENTS,
    opens_at: datetime | None = None,
    closes_at: datetime,
    department_code: str | None = None,
    district_code: str | None = None,
    options: Sequence[str] = (),
    request: HttpRequest | None = None,
) -> Inquiry:
    """The city asks citizens a question, before or after a policy: an open comment round, or a
    vote run by the voting module (with `options` as its choices)."""
    if actor is None or not actor.is_authenticated or not actor.is_official:
        raise DemocracyForbidden(_("Only officials ask Seoul Inquires."), code=DemocracyErrorCode.NOT_RESPONSIBLE)
    title = _clean_text(title, field="title", minimum=TITLE_MIN, maximum=TITLE_MAX)
    question = _clean_text(question, field="question", minimum=TEXT_MIN, maximum=TEXT_MAX)
    if timing not in Timing.values:
        raise DemocracyInvalid(_("Timing is before or after the policy."), field="timing")
    if mode not in InquiryMode.values:
        raise DemocracyInvalid(_("Answer by comments or by a vote."), field="mode")
    opens_at = opens_at or clock.now()
    if closes_at <= opens_at:
        raise DemocracyInvalid(_("The inquiry must close after it opens."), field="closes_at")
    dept = core_selectors.department_by_code(department_code) if department_code else actor.department
    district = _district(district_code)
    inq = Inquiry.objects.create(
        title=title,
        question=question,
        background=background.strip()[:TEXT_MAX],
        timing=timing,
        mode=mode,
        department=dept,
        district=district,
        created_by=actor,
        opens_at=opens_at,
        closes_at=closes_at,
        created_at=clock.now(),
    )
    if mode == InquiryMode.VOTE:
        clean_options = [o.strip() for o in options if o and o.strip()]
        if len(clean_options) < 2:
            raise DemocracyInvalid(_("A vote needs at least two options."), field="options")
        vote = _create_vote(actor=actor, inquiry=inq, options=clean_options)
        inq.vote_id = str(vote["id"])
        inq.save(update_fields=["vote_id"])
    _audit(actor, "inquiry_create", inq, request, mode=mode, timing=timing)
    return inq


def _create_vote(*, actor: User, inquiry: Inquiry, options: list[str]) -> dict[str, Any]:
    """Creates the inquiry's vote in the voting module (the one vote engine, with its ballot log):
    a single-choice policy vote, limited to the district's residents when the inquiry names one."""
    try:
        from smartseoul.voting import services as voting_services
    except ImportError as exc:  # a deployment without the voting module
        raise DemocracyConflict(
            _("Voting is not available; use a comment round."), code=DemocracyErrorCode.VOTE_SERVICE_UNAVAILABLE
        ) from exc
    district_code = inquiry.district.code if inquiry.district else None
    vote = voting_services.vote_create(
        owner=actor,
        kind="policy",
        title=inquiry.title,
        description="\n\n".join(filter(None, [inquiry.question, inquiry.background])),
        options=[{"text": text, "key": f"inquiry-{inquiry.pk}-{i}"} for i, text in enumerate(options, start=1)],
        ballot_type="single",
        opens_at=inquiry.opens_at,
        closes_at=inquiry.closes_at,
        target={"type": "districts", "codes": [district_code]} if district_code else {"type": "everyone"},
        owner_body=district_code or "city",
        source=f"democracy:inquiry:{inquiry.pk}",
    )
    return {"id": vote.pk}


@transaction.atomic
def inquiry_respond(*, inquiry_id: int, user: User, body: str) -> InquiryResponse:
    """One response per person in a comment round, editable while the round is open."""
    _require_participant(user, Verification.PHONE, _("answer Seoul Inquires"))
    text = _clean_text(body, field="response", minimum=2, maximum=COMMENT_MAX)
    inq = Inquiry.objects.select_for_update().filter(pk=inquiry_id).first()
    if inq is None or inq.opens_at > clock.now():
        raise DemocracyNotFound(_("No such inquiry."), code=DemocracyErrorCode.INQUIRY_NOT_FOUND)
    if inq.mode != InquiryMode.COMMENTS:
        raise DemocracyConflict(_("This inquiry is answered by a vote."), code=DemocracyErrorCode.WRONG_STAGE)
    if not selectors.inquiry_is_open(inq):
        raise DemocracyConflict(_("This inquiry is closed."), code=DemocracyErrorCode.INQUIRY_CLOSED)
    ratelimit.hit(f"democracy:inquiry:{user.pk}", limit=30, window_seconds=600)
    now = clock.now()
    resp, created = InquiryResponse.objects.get_or_create(
        inquiry=inq, user=user, defaults={"body": text, "created_at": now, "updated_at": now}
    )
    if not created:
        resp.body, resp.updated_at = text, now
        resp.save(update_fields=["body", "updated_at"])
    else:
        Inquiry.objects.filter(pk=inq.pk).update(response_count=F("response_count") + 1)
    return resp


@transaction.atomic
def inquiry_summarise(*, inquiry_id: int, actor: User, summary: str, request: HttpRequest | None = None) -> Inquiry:
    """After the round closes, the department publishes what it heard and what it will do."""
    inq = Inquiry.objects.select_for_update().filter(pk=inquiry_id).first()
    if inq is None:
        raise DemocracyNotFound(_("No such inquiry."), code=DemocracyErrorCode.INQUIRY_NOT_FOUND)
    if (
        actor is None
        or not actor.is_official
        or not (
            selectors.is_city_admin(actor)
            or (inq.department_id and actor.department_id == inq.department_id)
            or inq.created_by_id == actor.pk
        )
    ):
        raise DemocracyForbidden(
            _("Only the asking department publishes the result."), code=DemocracyErrorCode.NOT_RESPONSIBLE
        )
    if selectors.inquiry_is_open(inq):
        raise DemocracyConflict(_("Publish the result after the inquiry closes."), code=DemocracyErrorCode.WRONG_STAGE)
    inq.result_summary = _clean_text(summary, field="summary", minimum=TEXT_MIN, maximum=TEXT_MAX)
    inq.save(update_fields=["result_summary"])
    _audit(actor, "inquiry_summary", inq, request)
    return inq
