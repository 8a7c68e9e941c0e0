"""Open Data Plaza (publishers, datasets, resources, datastore tables, uploads, usage, data
requests, the app gallery) and Information Open Plaza (documents and personal-data findings).

No logic lives here: writes are in services.py, reads in selectors.py.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from .constants import Category, Disclosure, DocumentType, Frequency, PublisherKind, ResourceKind


def _pick(ko: str, en: str) -> str:
    return en if (get_language() or "ko").startswith("en") and en else ko


class Organization(models.Model):
    """A publisher: a city department, one of the 25 districts, an invested institution or a
    private partner. CKAN calls it an organisation."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.SlugField(max_length=100, unique=True)
    title_ko = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=12, choices=PublisherKind.choices)
    district_code = models.CharField(max_length=10, blank=True, db_index=True)
    department_code = models.CharField(max_length=60, blank=True, db_index=True)
    description_ko = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    homepage = models.URLField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return _pick(self.title_ko, self.title_en)


class MemberRole(models.TextChoices):
    EDITOR = "editor", _("editor")
    ADMIN = "admin", _("administrator")


class OrganizationMember(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="opendata_memberships")
    role = models.CharField(max_length=10, choices=MemberRole.choices, default=MemberRole.EDITOR)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "user"], name="uniq_opendata_member")]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.organization_id} ({self.role})"


class DatasetState(models.TextChoices):
    DRAFT = "draft", _("draft")
    ACTIVE = "active", _("published")
    DELETED = "deleted", _("deleted")


class Dataset(models.Model):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.SlugField(max_length=100, unique=True)
    title_ko = models.CharField(max_length=300)
    title_en = models.CharField(max_length=300, blank=True)
    description_ko = models.TextField()
    description_en = models.TextField(blank=True)
    category = models.CharField(max_length=20, choices=Category.choices, db_index=True)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="datasets")
    licence = models.CharField(max_length=20, default="KOGL-1", db_index=True)
    frequency = models.CharField(max_length=12, choices=Frequency.choices, default=Frequency.IRREGULAR)
    spatial = models.CharField(max_length=10, blank=True, help_text="district code, or empty for the whole city")
    temporal_start = models.DateField(null=True, blank=True)
    temporal_end = models.DateField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=DatasetState.choices, default=DatasetState.DRAFT)
    private = models.BooleanField(default=False)
    # Seoul OpenAPI service name (e.g. RealtimeCityAir) and its documented positional filters.
    service_name = models.CharField(max_length=80, unique=True, null=True, blank=True)
    api_filters = models.JSONField(default=list, blank=True)
    primary_key = models.JSONField(default=list, blank=True)
    version = models.PositiveIntegerField(default=1)
    export_key = models.CharField(max_length=100, blank=True, db_index=True)
    extras = models.JSONField(default=dict, blank=True)
    search_text = models.TextField(blank=True, help_text="pre-tokenised (Korean morphemes) search text")
    usage_total = models.PositiveBigIntegerField(default=0, help_text="views + downloads + API calls")
    created_at = models.DateTimeField()
    modified_at = models.DateTimeField(db_index=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-modified_at", "id"]
        indexes = [models.Index(fields=["state", "private"]), models.Index(fields=["-usage_total"])]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return _pick(self.title_ko, self.title_en)

    @property
    def description(self) -> str:
        return _pick(self.description_ko, self.description_en)


class DatasetTag(models.Model):
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(max_length=100, db_index=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["dataset", "name"], name="uniq_dataset_tag")]

    def __str__(self) -> str:
        return self.name


class DatasetVersion(models.Model):
    """Every change to a dataset: the metadata snapshot after the change, who made it, why."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    action = models.CharField(max_length=40)
    snapshot = models.JSONField()
    note = models.CharField(max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.dataset_id} v{self.number} {self.action}"


class Resource(models.Model):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="resources")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=10, choices=ResourceKind.choices)
    format = models.CharField(max_length=20, blank=True)
    mimetype = models.CharField(max_length=100, blank=True)
    url = models.URLField(max_length=500, blank=True, help_text="for links and outside APIs")
    file = models.CharField(max_length=300, blank=True, help_text="stored file, relative to the data directory")
    size = models.PositiveBigIntegerField(null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField()
    modified_at = models.DateTimeField()

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class DatastoreTable(models.Model):
    """The published table of a resource: one Parquet file per version under the lake."""

    resource = models.OneToOneField(Resource, on_delete=models.CASCADE, related_name="table")
    version = models.PositiveIntegerField(default=1)
    path = models.CharField(max_length=300, help_text="Parquet file relative to the datastore directory")
    fields = models.JSONField(help_text="[{id, type, info: {label, api_name, notes}}] without _id")
    row_count = models.PositiveBigIntegerField(default=0)
    source_name = models.CharField(max_length=200, blank=True)
    encoding = models.CharField(max_length=20, blank=True)
    loaded_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.resource_id} v{self.version} ({self.row_count} rows)"


class UploadStatus(models.TextChoices):
    VALIDATED = "validated", _("checked, ready to publish")
    FAILED = "failed", _("failed validation")
    PUBLISHED = "published", _("published")
    DISCARDED = "discarded", _("discarded")


class Upload(models.Model):
    """A staged CSV/XLSX load: the report (bad rows, widened columns) waits for the publisher."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="uploads")
    resource = models.ForeignKey(Resource, null=True, blank=True, on_delete=models.SET_NULL, related_name="uploads")
    original_name = models.CharField(max_length=200)
    encoding = models.CharField(max_length=20, blank=True)
    status = models.CharField(max_length=10, choices=UploadStatus.choices)
    report = models.JSONField(default=dict)
    fields = models.JSONField(default=list)
    row_count = models.PositiveBigIntegerField(default=0)
    staged_path = models.CharField(max_length=300, blank=True)
    source_path = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.status})"


class UsageDaily(models.Model):
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="usage")
    day = models.DateField()
    views = models.PositiveIntegerField(default=0)
    downloads = models.PositiveIntegerField(default=0)
    api_calls = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["dataset", "day"], name="uniq_usage_day")]
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"{self.dataset_id} {self.day}"


class RequestStatus(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")
    WILL_PUBLISH = "will_publish", _("will be published")
    PARTIAL = "partial", _("partially published")
    REFUSED = "refused", _("refused")
    PUBLISHED = "published", _("published")


class DataRequest(models.Model):
    """A citizen asks for data that is not open yet; the owning department answers by a due date."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_requests")
    title = models.CharField(max_length=200)
    description = models.TextField()
    purpose = models.CharField(max_length=300, blank=True)
    category = models.CharField(max_length=20, choices=Category.choices)
    department_code = models.CharField(max_length=60, db_index=True)
    status = models.CharField(max_length=15, choices=RequestStatus.choices, default=RequestStatus.SUBMITTED)
    answer = models.TextField(blank=True)
    legal_ground = models.CharField(max_length=20, blank=True)
    due_date = models.DateField()
    dataset = models.ForeignKey(Dataset, null=True, blank=True, on_delete=models.SET_NULL, related_name="requests")
    created_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class ShowcaseStatus(models.TextChoices):
    PENDING = "pending", _("awaiting moderation")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")


class Showcase(models.Model):
    """An app or visualisation in the gallery that uses datasets; shown once moderated."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField()
    url = models.URLField(max_length=500)
    kind = models.CharField(max_length=20, default="app")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="showcases")
    datasets = models.ManyToManyField(Dataset, related_name="showcases", blank=True)
    status = models.CharField(max_length=10, choices=ShowcaseStatus.choices, default=ShowcaseStatus.PENDING)
    moderation_note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    moderated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    # --- Information Open Plaza -------------------------------------------------------------------

    def __str__(self) -> str:
        return self.title


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    BLOCKED = "blocked", _("blocked by personal data")
    PUBLISHED = "published", _("published")
    WITHDRAWN = "withdrawn", pgettext_lazy("publication", "withdrawn")


class Document(models.Model):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(max_length=60, unique=True, help_text="document registration number")
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    doc_type = models.CharField(max_length=15, choices=DocumentType.choices, db_index=True)
    department_code = models.CharField(max_length=60, db_index=True)
    department_name = models.CharField(max_length=200)
    produced_on = models.DateField(db_index=True)
    disclosure = models.CharField(max_length=10, choices=Disclosure.choices, default=Disclosure.OPEN)
    legal_ground = models.CharField(max_length=20, blank=True)
    status = models.CharField(max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.DRAFT)
    search_text = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    modified_at = models.DateTimeField()
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-produced_on", "-id"]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class DocumentAttachment(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(max_length=200)
    file = models.CharField(max_length=300)
    size = models.PositiveBigIntegerField(default=0)
    mimetype = models.CharField(max_length=100, blank=True)
    text = models.TextField(blank=True, help_text="extracted text, checked for personal data")
    public = models.BooleanField(default=True, help_text="False for attachments withheld from a partial disclosure")

    def __str__(self) -> str:
        return self.name


class FindingStatus(models.TextChoices):
    OPEN = "open", _("to resolve")
    REDACTED = "redacted", _("redacted")
    WAIVED = "waived", _("waived")


class PersonalDataFinding(models.Model):
    """Personal data found in a document; publication waits until every finding is resolved.
    Only a masked excerpt and a keyed hash of the value are kept, never the value itself."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="findings")
    attachment = models.ForeignKey(
        DocumentAttachment, null=True, blank=True, on_delete=models.CASCADE, related_name="findings"
    )
    where = models.CharField(max_length=20, help_text="title, body or attachment")
    kind = models.CharField(max_length=20)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    excerpt = models.CharField(max_length=200)
    value_hash = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=FindingStatus.choices, default=FindingStatus.OPEN)
    reason = models.CharField(max_length=300, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    found_at = models.DateTimeField()

    class Meta:
        ordering = ["where", "start", "id"]

    def __str__(self) -> str:
        return f"{self.kind} in {self.where} ({self.status})"
