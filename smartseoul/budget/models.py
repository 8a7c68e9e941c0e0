"""Tables of the Citizens' Participatory Budget: cycles, envelopes, projects, committee scores,
allocation runs with each project's explained outcome, overrides and implementation updates.

Ballots are not stored here: the citizen vote of an envelope is a `voting` vote (`vote_id`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from smartseoul.core.models import Bilingual


class ProposalType(models.TextChoices):
    BROAD = "broad", _("broad proposal")
    DISTRICT = "district", _("district (gu) planning")
    COOPERATIVE = "cooperative", _("broad cooperative")
    DEMOCRACY = "democracy", _("Democracy Seoul connection")
    LOCAL = "local", _("local (dong) planning")
    DELIBERATION = "deliberation", _("deliberation type")


class Phase(models.TextChoices):
    DRAFT = "draft", _("in preparation")
    SUBMISSION = "submission", _("proposal submission")
    REVIEW = "review", _("eligibility review")
    DELIBERATION = "deliberation", _("committee deliberation")
    VOTE = "vote", _("citizen vote")
    ALLOCATION = "allocation", _("allocation")
    IMPLEMENTATION = "implementation", _("implementation")
    CLOSED = "closed", _("closed")


PHASE_ORDER: tuple[str, ...] = tuple(Phase.values)


class VoteMethod(models.TextChoices):
    APPROVAL = "approval", _("approval (choose several projects)")
    KNAPSACK = "knapsack", _("knapsack (choose projects up to the envelope)")
    POINTS = "points", _("points (spread points over projects)")


class AllocationRule(models.TextChoices):
    GREEDY = "greedy", _("greedy by votes, skipping what does not fit")
    GREEDY_FLOOR = "greedy_floor", _("greedy by votes with a minimum number of votes")
    MES = "mes", _("Method of Equal Shares with greedy completion")
    WEIGHTED = "weighted", _("committee and citizen scores weighted")


class Cycle(Bilingual):
    """One year's participatory budget: the total, the rules and the dates of each phase."""

    slug = models.SlugField(max_length=40, unique=True)
    year = models.PositiveSmallIntegerField()
    total_amount = models.BigIntegerField(help_text=_("KRW"))
    phase = models.CharField(max_length=16, choices=Phase.choices, default=Phase.DRAFT)
    submission_opens = models.DateTimeField()
    submission_closes = models.DateTimeField()
    review_closes = models.DateTimeField()
    deliberation_closes = models.DateTimeField()
    vote_opens = models.DateTimeField()
    vote_closes = models.DateTimeField()
    rule = models.CharField(max_length=16, choices=AllocationRule.choices, default=AllocationRule.GREEDY)
    min_votes = models.PositiveIntegerField(default=0, help_text=_("floor for the greedy_floor rule"))
    committee_weight = models.PositiveSmallIntegerField(default=45)
    citizen_weight = models.PositiveSmallIntegerField(default=55)
    vote_method = models.CharField(max_length=10, choices=VoteMethod.choices, default=VoteMethod.APPROVAL)
    max_choices = models.PositiveSmallIntegerField(default=5, help_text=_("approval: projects a voter may choose"))
    points_per_voter = models.PositiveSmallIntegerField(default=10, help_text=_("points vote: points to spread"))
    residents_only = models.BooleanField(
        default=False, help_text=_("district envelopes are voted on by that district's residents only")
    )
    description = models.TextField(blank=True, help_text=_("in Korean"))
    description_en = models.TextField(blank=True, help_text=_("in English"))
    created_at = models.DateTimeField()
    results_published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-year", "slug"]

    @property
    def about(self) -> str:
        """The description in the reader's language (Korean when there is no English one)."""
        if (get_language() or "ko").startswith("en") and self.description_en:
            return self.description_en
        return self.description


class EnvelopeKind(models.TextChoices):
    CITYWIDE = "citywide", _("city-wide")
    DISTRICT = "district", _("district")
    PROPOSAL_TYPE = "type", _("proposal type")
    IMPORTED = "imported", _("imported from a Pabulib file")


class Envelope(Bilingual):
    """A pot of money inside a cycle; each envelope has its own vote and allocation."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="envelopes")
    kind = models.CharField(max_length=10, choices=EnvelopeKind.choices)
    district_code = models.CharField(max_length=10, blank=True)
    proposal_type = models.CharField(max_length=16, choices=ProposalType.choices, blank=True)
    amount = models.BigIntegerField(help_text=_("KRW"))
    vote_id = models.PositiveIntegerField(null=True, blank=True, help_text=_("the voting module's vote"))

    class Meta:
        ordering = ["cycle", "kind", "district_code", "proposal_type"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "kind", "district_code", "proposal_type"], name="uniq_envelope",
                                    condition=~models.Q(kind="imported")),
        ]


class ImportedProfile(models.Model):
    """The ballots of an imported Pabulib instance, kept as the file (already anonymous)."""

    envelope = models.ForeignKey(Envelope, on_delete=models.CASCADE, related_name="imported_profiles")
    filename = models.CharField(max_length=200)
    text = models.TextField()
    code_prefix = models.CharField(max_length=60, help_text=_("prefix of the imported projects' codes"))
    imported_at = models.DateTimeField()
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return self.filename


class ProjectStatus(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")
    ELIGIBLE = "eligible", _("eligible")
    INELIGIBLE = "ineligible", _("not eligible")
    WITHDRAWN = "withdrawn", _("withdrawn")
    ON_BALLOT = "on_ballot", _("on the ballot")
    FUNDED = "funded", _("funded")
    NOT_FUNDED = "not_funded", _("not funded")


class ImplementationStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("not started")
    PLANNING = "planning", _("planning")
    IN_PROGRESS = "in_progress", _("in progress")
    COMPLETED = "completed", _("completed")
    CANCELLED = "cancelled", _("cancelled")


class Project(models.Model):
    """A citizen's budget proposal; after review and the vote, possibly a funded project."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="projects")
    envelope = models.ForeignKey(Envelope, null=True, blank=True, on_delete=models.SET_NULL, related_name="projects")
    code = models.CharField(max_length=24, unique=True, help_text=_("public id, also the Pabulib project_id"))
    proposal_type = models.CharField(max_length=16, choices=ProposalType.choices)
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=500)
    description = models.TextField(blank=True)
    category = models.CharField(max_length=60, blank=True)
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="budget_projects"
    )
    district_code = models.CharField(max_length=10, blank=True)
    neighborhood_code = models.CharField(max_length=12, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    requested_cost = models.BigIntegerField(help_text=_("the proposer's estimate, KRW"))
    cost = models.BigIntegerField(null=True, blank=True, help_text=_("the official cost estimate, KRW"))
    feasible = models.BooleanField(null=True, blank=True)
    department_code = models.CharField(max_length=60, blank=True)
    review_note = models.TextField(blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    democracy_proposal_id = models.PositiveIntegerField(null=True, blank=True)
    committee_score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    status = models.CharField(max_length=12, choices=ProjectStatus.choices, default=ProjectStatus.SUBMITTED)
    votes = models.PositiveIntegerField(default=0, help_text=_("tally of the latest allocation run"))
    submitted_at = models.DateTimeField()
    implementation_status = models.CharField(
        max_length=12, choices=ImplementationStatus.choices, default=ImplementationStatus.NOT_STARTED
    )
    progress = models.PositiveSmallIntegerField(default=0, help_text=_("percent"))

    class Meta:
        ordering = ["cycle", "code"]
        indexes = [models.Index(fields=["cycle", "status"]), models.Index(fields=["envelope", "status"])]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class CommitteeScore(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="scores")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)
    at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "member"], name="uniq_committee_score")]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.score}"


class AllocationRun(models.Model):
    """One computation of an envelope's result. The latest (`is_current`) is the published one."""

    envelope = models.ForeignKey(Envelope, on_delete=models.CASCADE, related_name="runs")
    rule = models.CharField(max_length=16, choices=AllocationRule.choices)
    params = models.JSONField(default=dict, blank=True)
    budget = models.BigIntegerField()
    spent = models.BigIntegerField()
    voters = models.PositiveIntegerField(default=0)
    source = models.CharField(max_length=120, help_text=_("where the ballots came from"))
    tie_rule = models.TextField()
    computed_at = models.DateTimeField()
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_current = models.BooleanField(default=True)

    class Meta:
        ordering = ["-computed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.envelope_id} {self.rule} {self.computed_at:%Y-%m-%d}"


class ProjectOutcome(models.Model):
    run = models.ForeignKey(AllocationRun, on_delete=models.CASCADE, related_name="outcomes")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="outcomes")
    votes = models.PositiveIntegerField()
    funded = models.BooleanField()
    rank = models.PositiveIntegerField()
    reason = models.CharField(max_length=40)
    detail = models.JSONField(default=dict, blank=True)
    explanation = models.TextField()
    remaining_before = models.BigIntegerField()
    remaining_after = models.BigIntegerField()

    class Meta:
        ordering = ["run", "rank"]
        constraints = [models.UniqueConstraint(fields=["run", "project"], name="uniq_outcome")]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.reason}"


class Override(models.Model):
    """An administrator's change to a computed result: always with a written, public reason."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="overrides")
    run = models.ForeignKey(AllocationRun, on_delete=models.CASCADE, related_name="overrides")
    funded = models.BooleanField(help_text=_("the decision after the override"))
    reason = models.TextField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.funded}"


class ImplementationUpdate(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="updates")
    status = models.CharField(max_length=12, choices=ImplementationStatus.choices)
    progress = models.PositiveSmallIntegerField()
    note = models.TextField()
    photo = models.ImageField(upload_to="budget/updates/%Y/", blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.progress}%"
