"""Democracy Seoul: proposals and their support ladder, forums, official answers, Seoul Inquires.

The ladder's thresholds and windows are data (`LadderConfig`, one row per city), never constants.
Counters on `Proposal` (supporters, forum participants) are kept by the services under a row
lock, so the ladder decides on exact numbers; `Support` and `ForumOpinion` rows stay the truth.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LadderConfig(models.Model):
    """How far support carries a proposal, per city (Seoul's defaults: 50 / 100 / 1,000 / 30 days)."""

    city = models.OneToOneField("core.City", on_delete=models.CASCADE, related_name="democracy_ladder")
    support_window_days = models.PositiveSmallIntegerField(_("support window (days)"), default=30)
    department_threshold = models.PositiveIntegerField(_("supporters for a department answer"), default=50)
    forum_threshold = models.PositiveIntegerField(_("supporters for a public forum"), default=100)
    mayor_threshold = models.PositiveIntegerField(_("forum participants for the mayor's answer"), default=1000)
    forum_days = models.PositiveSmallIntegerField(_("forum length (days)"), default=30)
    department_answer_days = models.PositiveSmallIntegerField(_("days for the department to answer"), default=30)
    selection_days = models.PositiveSmallIntegerField(_("days for the Proposal Selection Group to decide"), default=30)
    decision_answer_days = models.PositiveSmallIntegerField(_("days for the final answer after a forum"), default=30)
    reminder_days_before = models.PositiveSmallIntegerField(_("remind this many days before a due date"), default=3)
    reports_to_hide = models.PositiveSmallIntegerField(_("reports that hide content until reviewed"), default=3)
    require_real_name = models.BooleanField(_("support needs real-name verification"), default=False)
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"ladder {self.department_threshold}/{self.forum_threshold}/{self.mayor_threshold}"


class Category(models.TextChoices):
    """Proposal topics; the keys are the departments' work categories."""

    WELFARE = "welfare", _("welfare")
    ENVIRONMENT = "environment", _("environment")
    TRAFFIC = "traffic", _("traffic")
    CULTURE = "culture", _("culture and tourism")
    HOUSING = "housing", _("housing")
    ECONOMY = "economy", _("economy and jobs")
    EDUCATION = "education", _("education")
    SAFETY = "safety", _("safety")
    OTHER = "proposal", _("other")


class Stage(models.TextChoices):
    DELIBERATION = "deliberation", _("gathering support")
    DEPARTMENT_ANSWER_DUE = "department_answer_due", _("department answer due")
    DEPARTMENT_ANSWERED = "department_answered", _("answered by the department")
    FORUM_SELECTION = "forum_selection", _("awaiting forum selection")
    FORUM = "forum", _("public forum")
    DECISION_DUE = "decision_due", _("final answer due")
    MAYOR_ANSWER_DUE = "mayor_answer_due", _("mayor's answer due")
    ADOPTED = "adopted", _("adopted")
    PARTLY_ADOPTED = "partly_adopted", _("partly adopted")
    NOT_ADOPTED = "not_adopted", _("not adopted")
    CLOSED = "closed", _("closed after the answer")
    EXPIRED = "expired", _("expired")
    WITHDRAWN = "withdrawn", _("withdrawn")


OPEN_FOR_SUPPORT = (Stage.DELIBERATION, Stage.DEPARTMENT_ANSWER_DUE, Stage.DEPARTMENT_ANSWERED)
ANSWER_DUE = (Stage.DEPARTMENT_ANSWER_DUE, Stage.DECISION_DUE, Stage.MAYOR_ANSWER_DUE)
FINAL = (Stage.ADOPTED, Stage.PARTLY_ADOPTED, Stage.NOT_ADOPTED, Stage.CLOSED, Stage.EXPIRED, Stage.WITHDRAWN)
OUTCOMES = (Stage.ADOPTED, Stage.PARTLY_ADOPTED, Stage.NOT_ADOPTED)


class Proposal(models.Model):
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="democracy_proposals"
    )
    title = models.CharField(_("title"), max_length=150)
    problem = models.TextField(_("problem"))
    solution = models.TextField(_("suggested solution"))
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    district = models.ForeignKey(
        "core.District",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="democracy_proposals",
        help_text=_("empty for city-wide"),
    )
    stage = models.CharField(max_length=30, choices=Stage.choices, default=Stage.DELIBERATION, db_index=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    stage_changed_at = models.DateTimeField()
    support_deadline = models.DateTimeField(db_index=True)
    support_count = models.PositiveIntegerField(default=0)
    first_support_at = models.DateTimeField(null=True, blank=True)
    department = models.ForeignKey(
        "core.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="democracy_proposals"
    )
    answer_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    selection_due_at = models.DateTimeField(null=True, blank=True)
    forum_opened_at = models.DateTimeField(null=True, blank=True)
    forum_closes_at = models.DateTimeField(null=True, blank=True)
    forum_participants = models.PositiveIntegerField(default=0)
    forum_pro = models.PositiveIntegerField(default=0)
    forum_con = models.PositiveIntegerField(default=0)
    selection_note = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    budget_reference = models.CharField(max_length=120, blank=True)
    budget_linked_at = models.DateTimeField(null=True, blank=True)
    last_reminder_on = models.DateField(null=True, blank=True)
    hidden = models.BooleanField(default=False)
    report_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["stage", "support_deadline"]),
            models.Index(fields=["stage", "answer_due_at"]),
            models.Index(fields=["department", "stage"]),
        ]

    def __str__(self) -> str:
        return self.title


class StageEvent(models.Model):
    """The public timeline of a proposal: every ladder step with its date and counts at the time."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="stage_events")
    from_stage = models.CharField(max_length=30, blank=True)
    to_stage = models.CharField(max_length=30, choices=Stage.choices)
    at = models.DateTimeField()
    support_count = models.PositiveIntegerField(default=0)
    forum_participants = models.PositiveIntegerField(default=0)
    note = models.CharField(max_length=300, blank=True)
    note_parts = models.JSONField(
        default=list,
        blank=True,
        help_text="the platform's own words of the note: [msgid, params] pairs, shown "
        "in each reader's language (`note` keeps what a person wrote, or the text in the writer's language)",
    )

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.from_stage} → {self.to_stage}"


class Support(models.Model):
    """One supporter of one proposal: the unique constraint makes a second support impossible."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="democracy_supports")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["proposal", "user"], name="democracy_one_support_per_person")]

    def __str__(self) -> str:
        return f"support {self.proposal_id}"


class Follow(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="democracy_follows")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["proposal", "user"], name="democracy_one_follow")]

    def __str__(self) -> str:
        return f"follow {self.proposal_id}"


class AttachmentKind(models.TextChoices):
    IMAGE = "image", _("image")
    DOCUMENT = "document", _("document")


class Attachment(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(max_length=10, choices=AttachmentKind.choices)
    file = models.FileField(upload_to="democracy/%Y/%m/")
    name = models.CharField(max_length=120)
    content_type = models.CharField(max_length=80)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class AnswerKind(models.TextChoices):
    DEPARTMENT = "department", _("department answer")
    DECISION = "decision", _("final answer after the forum")
    MAYOR = "mayor", _("mayor's answer")


class OfficialAnswer(models.Model):
    """An answer the city owes and gave: shown on the proposal with its due and answer dates."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="answers")
    kind = models.CharField(max_length=12, choices=AnswerKind.choices)
    department = models.ForeignKey(
        "core.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="democracy_answers"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField()
    outcome = models.CharField(max_length=20, blank=True, choices=[(s.value, s.label) for s in OUTCOMES])
    due_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField()

    class Meta:
        ordering = ["answered_at", "id"]
        constraints = [models.UniqueConstraint(fields=["proposal", "kind"], name="democracy_one_answer_per_kind")]

    def __str__(self) -> str:
        return f"{self.kind} answer to {self.proposal_id}"

    @property
    def late(self) -> bool:
        return self.due_at is not None and self.answered_at > self.due_at


class Stance(models.TextChoices):
    PRO = "pro", _("for")
    CON = "con", _("against")


class ForumOpinion(models.Model):
    """A forum participant's pro/con opinion: one per person, changeable while the forum is open."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="opinions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="democracy_opinions")
    stance = models.CharField(max_length=3, choices=Stance.choices)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    hidden = models.BooleanField(default=False)
    report_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["proposal", "user"], name="democracy_one_opinion")]

    def __str__(self) -> str:
        return f"{self.stance} on {self.proposal_id}"


class Comment(models.Model):
    """Threaded comments on a proposal (a reply points at its parent)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField()
    hidden = models.BooleanField(default=False)
    report_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["proposal", "created_at"])]

    def __str__(self) -> str:
        return f"comment {self.pk} on {self.proposal_id}"


class ReportTarget(models.TextChoices):
    PROPOSAL = "proposal", _("proposal")
    COMMENT = "comment", _("comment")
    OPINION = "opinion", _("forum opinion")
    RESPONSE = "response", _("inquiry response")


class ReportReason(models.TextChoices):
    ABUSE = "abuse", _("abusive or hateful")
    SPAM = "spam", _("spam or advertising")
    PERSONAL_DATA = "personal_data", _("reveals personal data")
    OFF_TOPIC = "off_topic", _("off topic")
    OTHER = "other", _("other")


class ReportStatus(models.TextChoices):
    PENDING = "pending", _("pending review")
    UPHELD = "upheld", _("upheld: content hidden")
    DISMISSED = "dismissed", _("dismissed: content shown")


class Report(models.Model):
    target_kind = models.CharField(max_length=10, choices=ReportTarget.choices)
    target_id = models.PositiveBigIntegerField()
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(max_length=20, choices=ReportReason.choices)
    note = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=ReportStatus.choices, default=ReportStatus.PENDING, db_index=True)
    created_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["target_kind", "target_id"])]
        constraints = [
            models.UniqueConstraint(
                fields=["target_kind", "target_id", "reporter"], name="democracy_one_report_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"report on {self.target_kind} {self.target_id}"


class Timing(models.TextChoices):
    BEFORE = "before", _("before the policy")
    AFTER = "after", _("after the policy")


class InquiryMode(models.TextChoices):
    COMMENTS = "comments", _("open comment round")
    VOTE = "vote", _("vote")


class Inquiry(models.Model):
    """Seoul Inquires: the city asks citizens a question, answered in a comment round or a vote."""

    title = models.CharField(_("title"), max_length=150)
    question = models.TextField(_("question"))
    background = models.TextField(_("background"), blank=True)
    timing = models.CharField(_("timing"), max_length=6, choices=Timing.choices, default=Timing.BEFORE)
    mode = models.CharField(_("answered by"), max_length=10, choices=InquiryMode.choices, default=InquiryMode.COMMENTS)
    department = models.ForeignKey(
        "core.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="democracy_inquiries"
    )
    district = models.ForeignKey("core.District", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    vote_id = models.CharField(max_length=64, blank=True, help_text="the voting module's vote, for mode=vote")
    response_count = models.PositiveIntegerField(default=0)
    result_summary = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-opens_at", "-id"]
        verbose_name_plural = "inquiries"

    def __str__(self) -> str:
        return self.title


class InquiryResponse(models.Model):
    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="responses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    hidden = models.BooleanField(default=False)
    report_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["inquiry", "user"], name="democracy_one_response")]

    def __str__(self) -> str:
        return f"response to {self.inquiry_id}"
