"""Votes, their options and eligibility lists, ballots, and the ballot transparency log.

Each vote has its own append-only Merkle log (RFC 6962): one leaf per accepted ballot, in
`Ballot.seq` order. `LogNode` keeps every complete subtree hash (level 0 = leaf hashes), so
appends are amortised O(1) and proofs read O(log n) rows. The vote row carries the log's head
(size and frontier), locked for each append. No ballot row names a person: a ballot carries a
nullifier (a keyed hash of the vote and the voter) and nothing else about the voter.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    POLICY = "policy", _("policy vote")
    ONSPOT = "onspot", _("on-spot vote")
    GENERAL = "general", _("general vote")


class BallotType(models.TextChoices):
    SINGLE = "single", _("single choice")
    MULTIPLE = "multiple", _("multiple choice")
    APPROVAL = "approval", _("approval")
    RANKING = "ranking", _("ranking")
    POINTS = "points", _("points")
    KNAPSACK = "knapsack", _("budget (knapsack)")


class TargetType(models.TextChoices):
    EVERYONE = "everyone", _("everyone")
    DISTRICTS = "districts", _("residents of districts")
    GEOFENCE = "geofence", _("people on the spot")
    PHONES = "phones", _("listed phone numbers")
    PASSWORD = "password", _("password holders")


class Status(models.TextChoices):
    DRAFT = "draft", _("draft")
    REVIEW = "review", _("awaiting moderation")
    PUBLISHED = "published", _("published")
    REJECTED = "rejected", _("rejected")
    CLOSED = "closed", _("closed")


class Vote(models.Model):
    kind = models.CharField(max_length=10, choices=Kind.choices)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="votes_owned")
    owner_body = models.CharField(max_length=20, default="city",
                                  help_text="city, education, a district code or citizen")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    ballot_type = models.CharField(max_length=10, choices=BallotType.choices)
    max_choices = models.PositiveSmallIntegerField(null=True, blank=True)
    points_total = models.PositiveIntegerField(null=True, blank=True)
    budget_limit = models.BigIntegerField(null=True, blank=True)
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    target_type = models.CharField(max_length=10, choices=TargetType.choices, default=TargetType.EVERYONE)
    target_codes = models.JSONField(default=list, blank=True)
    geofence = models.JSONField(null=True, blank=True,
                                help_text='{"circle": {lat, lon, radius_m}} or {"polygon": GeoJSON}')
    password_hash = models.CharField(max_length=200, blank=True)
    allow_change = models.BooleanField(default=False)
    live_results = models.BooleanField(default=False)
    min_age = models.PositiveSmallIntegerField(null=True, blank=True)
    source = models.CharField(max_length=100, blank=True, db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    moderation_note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    published_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    results = models.JSONField(null=True, blank=True, help_text="frozen at close")
    # The log head: size and frontier (concatenated 32-byte hashes of the complete subtrees of [0, size)).
    log_size = models.BigIntegerField(default=0)
    log_frontier = models.BinaryField(default=b"")
    last_checkpoint_size = models.BigIntegerField(null=True, blank=True)
    last_checkpoint_at = models.DateTimeField(null=True, blank=True)
    checkpoint_scheduled = models.BooleanField(default=False)

    class Meta:
        ordering = ["-opens_at", "-pk"]
        indexes = [models.Index(fields=["status", "closes_at"], name="vote_status_closes")]

    def __str__(self) -> str:
        return self.title


class Option(models.Model):
    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=300)
    image = models.ImageField(upload_to="voting/options/", blank=True)
    image_url = models.CharField(max_length=500, blank=True)
    cost = models.BigIntegerField(null=True, blank=True)
    key = models.CharField(max_length=100, blank=True, help_text="external reference, e.g. a budget project id")

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["vote", "position"], name="uniq_option_position")]

    def __str__(self) -> str:
        return self.text


class VotePhone(models.Model):
    """One number of a phone-list vote, as the same keyed hash `User.phone_hash` holds."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="phones")
    phone_hash = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["vote", "phone_hash"], name="uniq_vote_phone")]

    def __str__(self) -> str:
        return f"phone hash {self.phone_hash[:8]}…"


class Ballot(models.Model):
    """One leaf of the vote's log. A changed ballot is a new row (a new leaf) that supersedes
    the old one; the old row stays, marked not current."""

    vote = models.ForeignKey(Vote, on_delete=models.PROTECT, related_name="ballots")
    seq = models.BigIntegerField(help_text="the leaf index in the vote's log")
    nullifier = models.CharField(max_length=64)
    choices = models.JSONField()
    district_code = models.CharField(max_length=10, null=True, blank=True)
    cast_at = models.DateTimeField()
    leaf = models.TextField(help_text="the canonical JSON bytes hashed into the log")
    tracker = models.CharField(max_length=20, unique=True)
    current = models.BooleanField(default=True)
    superseded_by = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["vote", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["vote", "seq"], name="uniq_ballot_seq"),
            models.UniqueConstraint(
                fields=["vote", "nullifier"], condition=Q(current=True), name="uniq_current_ballot_per_voter"
            ),
        ]

    def __str__(self) -> str:
        return f"ballot {self.seq} of vote {self.vote_id}"


class QueuedBallot(models.Model):
    """An accepted ballot: the durable queue the sequencer integrates into the log, in arrival
    order (see `voting.sequencer`). A row is written in one short transaction when the ballot is
    accepted and kept: `seq` is its leaf index once integrated. In a vote that allows no change
    (`exclusive`), one row per nullifier, so one ballot per person is decided at acceptance."""

    vote = models.ForeignKey(Vote, on_delete=models.PROTECT, related_name="queued_ballots", db_index=False)
    nullifier = models.CharField(max_length=64)
    choices = models.JSONField()
    district_code = models.CharField(max_length=10, null=True, blank=True)
    accepted_at = models.DateTimeField()
    exclusive = models.BooleanField(help_text="the vote allows no change: one accepted ballot per nullifier")
    seq = models.BigIntegerField(null=True, blank=True, help_text="the leaf index once integrated")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["vote", "nullifier"], condition=Q(exclusive=True), name="uniq_accepted_ballot_per_voter"
            ),
        ]
        indexes = [models.Index(fields=["vote", "id"], condition=Q(seq__isnull=True), name="queued_ballot_pending")]

    def __str__(self) -> str:
        return f"queued ballot {self.pk} of vote {self.vote_id}"


class LogNode(models.Model):
    """A complete subtree hash of a vote's log: leaves [index·2^level, (index+1)·2^level)."""

    tree = models.ForeignKey(Vote, on_delete=models.PROTECT, related_name="log_nodes")
    level = models.PositiveSmallIntegerField()
    index = models.BigIntegerField()
    hash = models.BinaryField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tree", "level", "index"], name="uniq_log_node")]

    def __str__(self) -> str:
        return f"node ({self.level}, {self.index}) of vote {self.tree_id}"


class Checkpoint(models.Model):
    """A published, signed checkpoint (C2SP signed note) of a vote's log."""

    vote = models.ForeignKey(Vote, on_delete=models.PROTECT, related_name="checkpoints")
    size = models.BigIntegerField()
    root = models.BinaryField()
    note = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["vote", "size"]
        constraints = [models.UniqueConstraint(fields=["vote", "size"], name="uniq_checkpoint_size")]

    def __str__(self) -> str:
        return f"checkpoint {self.size} of vote {self.vote_id}"
