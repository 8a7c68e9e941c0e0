"""The public contract of the Democracy Seoul API (no personal data: authors appear as handles)."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import Field


class ProposalIn(Schema):
    title: str = Field(max_length=200)
    problem: str = Field(max_length=20_000)
    solution: str = Field(max_length=20_000)
    category: str
    district_code: str | None = None


class ProposalPatch(Schema):
    title: str | None = None
    problem: str | None = None
    solution: str | None = None
    category: str | None = None
    district_code: str | None = None


class AnswerOut(Schema):
    kind: str
    department_code: str | None
    department_name: str | None
    body: str
    outcome: str
    due_at: datetime | None
    answered_at: datetime
    late: bool


class StageEventOut(Schema):
    from_stage: str
    to_stage: str
    at: datetime
    support_count: int
    forum_participants: int
    note: str


class AttachmentOut(Schema):
    kind: str
    name: str
    url: str
    size: int


class ProposalOut(Schema):
    id: int
    title: str
    category: str
    district_code: str | None
    stage: str
    stage_label: str
    created_at: datetime
    support_deadline: datetime
    support_count: int
    forum_participants: int
    forum_pro: int
    forum_con: int
    forum_closes_at: datetime | None
    department_code: str | None
    answer_due_at: datetime | None
    budget_reference: str
    url: str


class ProposalDetailOut(ProposalOut):
    problem: str
    solution: str
    author: str
    answers: list[AnswerOut]
    timeline: list[StageEventOut]
    attachments: list[AttachmentOut]
    next_threshold: dict[str, object] | None


class SupportOut(Schema):
    id: int
    stage: str
    support_count: int
    supported: bool


class AnswerIn(Schema):
    body: str = Field(max_length=20_000)
    outcome: str = ""


class DecisionIn(Schema):
    open: bool
    note: str = ""


class OpinionIn(Schema):
    stance: str
    body: str = ""


class OpinionOut(Schema):
    stance: str
    body: str
    participants: int


class CommentIn(Schema):
    body: str = Field(max_length=5_000)
    parent_id: int | None = None


class CommentOut(Schema):
    id: int
    parent_id: int | None
    author: str
    body: str
    created_at: datetime
    hidden: bool


class ReportIn(Schema):
    target_kind: str
    target_id: int
    reason: str
    note: str = ""


class ModerationIn(Schema):
    target_kind: str
    target_id: int
    uphold: bool
    note: str = ""


class BudgetLinkIn(Schema):
    budget_reference: str


class DepartmentTrackingOut(Schema):
    department_code: str
    department_name: str
    district_code: str | None
    due: int
    overdue: int
    answered: int
    late: int


class LadderConfigOut(Schema):
    support_window_days: int
    department_threshold: int
    forum_threshold: int
    mayor_threshold: int
    forum_days: int
    department_answer_days: int
    selection_days: int
    decision_answer_days: int
    reminder_days_before: int
    reports_to_hide: int
    require_real_name: bool


class LadderConfigIn(Schema):
    support_window_days: int | None = None
    department_threshold: int | None = None
    forum_threshold: int | None = None
    mayor_threshold: int | None = None
    forum_days: int | None = None
    department_answer_days: int | None = None
    selection_days: int | None = None
    decision_answer_days: int | None = None
    reminder_days_before: int | None = None
    reports_to_hide: int | None = None
    require_real_name: bool | None = None


class InquiryIn(Schema):
    title: str
    question: str
    background: str = ""
    timing: str = "before"
    mode: str = "comments"
    opens_at: datetime | None = None
    closes_at: datetime
    department_code: str | None = None
    district_code: str | None = None
    options: list[str] = []


class InquiryOut(Schema):
    id: int
    title: str
    question: str
    background: str
    timing: str
    mode: str
    department_code: str | None
    district_code: str | None
    opens_at: datetime
    closes_at: datetime
    is_open: bool
    response_count: int
    vote_id: str
    vote_url: str
    result_summary: str


class InquiryResponseIn(Schema):
    body: str = Field(max_length=5_000)


class InquiryResponseOut(Schema):
    id: int
    author: str
    body: str
    created_at: datetime
