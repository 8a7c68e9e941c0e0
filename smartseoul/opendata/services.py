"""Writes of the open-data module: publishers, datasets (versioned and audited), resources,
datastore uploads, module exports, usage counts, API keys, data requests, the app gallery and
the Information Open Plaza's documents."""

from __future__ import annotations

import csv
import logging
import re
import shutil
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from smartseoul.core import clock
from smartseoul.core.errors import DomainError
from smartseoul.core.registry import OpenDataExport
from smartseoul.core.services import audit_record, notify
from smartseoul.lib import korean, uploads

from . import datastore, privacy, search
from .constants import (
    CATEGORY_EN,
    CATEGORY_KO,
    LEGAL_GROUNDS,
    LICENCES,
    MEDIA_TYPES,
    Category,
    Disclosure,
    DocumentType,
    Frequency,
    PublisherKind,
    ResourceKind,
)
from .errors import (
    BadInput,
    Clash,
    FieldErrors,
    Forbidden,
    Missing,
    OpenDataErrorCode,
    QuotaExceeded,
)
from .models import (
    DataRequest,
    Dataset,
    DatasetState,
    DatasetTag,
    DatasetVersion,
    DatastoreTable,
    Document,
    DocumentAttachment,
    DocumentStatus,
    FindingStatus,
    MemberRole,
    Organization,
    OrganizationMember,
    PersonalDataFinding,
    RequestStatus,
    Resource,
    Showcase,
    ShowcaseStatus,
    Upload,
    UploadStatus,
    UsageDaily,
)

if TYPE_CHECKING:
    from smartseoul.accounts.models import ApiKey

log = logging.getLogger("smartseoul.opendata")

NAME_RE = re.compile(r"^[a-z0-9_-]{2,100}$")
SERVICE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{1,79}$")
TAG_RE = re.compile(r"^[\w .\-]{1,100}$", re.UNICODE)
DATA_REQUEST_DAYS = 10  # Official Information Disclosure Act art. 11: a decision within 10 days
SAMPLE_SCOPE = "opendata-sample"
DEFAULT_DAILY_QUOTA = 1000
EXPORT_ORGANIZATION = "seoul-data"


def datastore_root() -> Path:
    lake = getattr(settings, "LAKE_DIR", None)
    root = Path(lake) / "datastore" if lake else Path(settings.DATA_DIR) / "datastore"
    root.mkdir(parents=True, exist_ok=True)
    return root


def documents_root() -> Path:
    root = Path(settings.PRIVATE_MEDIA_ROOT) / "opendata" / "documents"
    root.mkdir(parents=True, exist_ok=True)
    return root


# --- authorisation ---------------------------------------------------------------------------------


def can_publish(user: Any, organization: Organization) -> bool:
    """City administrators; members of the organisation; publishers of its department or district."""
    if user is None or not user.is_authenticated or not user.is_active or not user.staff_permissions_active:
        return False
    if user.is_city_admin:
        return True
    if OrganizationMember.objects.filter(organization=organization, user=user).exists():
        return True
    if not user.has_capability("publisher"):
        return False
    dept = user.department
    if dept is None:
        return (
            user.role == "district_admin"
            and bool(organization.district_code)
            and user.home_district is not None
            and user.home_district.code == organization.district_code
        )
    if organization.department_code and dept.code == organization.department_code:
        return True
    return (
        bool(organization.district_code)
        and dept.district is not None
        and dept.district.code == organization.district_code
    )


def _require_publisher(user: Any, organization: Organization) -> None:
    if not can_publish(user, organization):
        raise Forbidden(f"You may not publish for {organization.title_ko}.", code=OpenDataErrorCode.NOT_PUBLISHER)


def _require_official(user: Any) -> None:
    if user is None or not user.is_authenticated or not user.is_official:
        raise Forbidden("Only officials may do this.", code=OpenDataErrorCode.NOT_ALLOWED)


# --- organisations -----------------------------------------------------------------------------------


def organization_ensure(
    *,
    name: str,
    title_ko: str,
    title_en: str = "",
    kind: str,
    district_code: str = "",
    department_code: str = "",
    description_ko: str = "",
    description_en: str = "",
    homepage: str = "",
) -> Organization:
    """Creates the publisher if it does not exist (idempotent; used by the demo and exports)."""
    with transaction.atomic():
        org, _ = Organization.objects.get_or_create(
            name=name,
            defaults={
                "title_ko": title_ko,
                "title_en": title_en,
                "kind": kind,
                "district_code": district_code,
                "department_code": department_code,
                "description_ko": description_ko,
                "description_en": description_en,
                "homepage": homepage,
                "created_at": clock.now(),
            },
        )
    return org


def organization_create(
    *,
    actor: Any,
    name: str,
    title_ko: str,
    title_en: str = "",
    kind: str = PublisherKind.CITY,
    district_code: str = "",
    department_code: str = "",
    description_ko: str = "",
    description_en: str = "",
) -> Organization:
    if not (actor.is_city_admin):
        raise Forbidden("Only city administrators create publishers.", code=OpenDataErrorCode.NOT_ALLOWED)
    errors: dict[str, list[str]] = {}
    if not NAME_RE.match(name or ""):
        errors["name"] = ["Must be 2–100 lower-case letters, digits, - or _."]
    elif Organization.objects.filter(name=name).exists():
        errors["name"] = ["Group name already exists in database"]
    if not title_ko:
        errors["title"] = ["Missing value"]
    if kind not in PublisherKind.values:
        errors["kind"] = [f"Must be one of {', '.join(PublisherKind.values)}."]
    if errors:
        raise FieldErrors(errors)
    with transaction.atomic():
        org = Organization.objects.create(
            name=name,
            title_ko=title_ko,
            title_en=title_en,
            kind=kind,
            district_code=district_code,
            department_code=department_code,
            description_ko=description_ko,
            description_en=description_en,
            created_at=clock.now(),
        )
        audit_record(actor=actor, action="opendata.organization_create", target=org, details={"name": name})
    return org


def organization_update(*, actor: Any, organization: Organization, **changes: Any) -> Organization:
    _require_publisher(actor, organization)
    allowed = {"title_ko", "title_en", "description_ko", "description_en", "homepage"}
    unknown = set(changes) - allowed
    if unknown:
        raise FieldErrors({k: ["This field cannot be changed."] for k in sorted(unknown)})
    if "title_ko" in changes and not changes["title_ko"]:
        raise FieldErrors({"title": ["Missing value"]})
    with transaction.atomic():
        for key, value in changes.items():
            setattr(organization, key, value or "")
        organization.save()
        audit_record(
            actor=actor, action="opendata.organization_update", target=organization, details={"fields": sorted(changes)}
        )
    return organization


def organization_member_add(
    *, actor: Any, organization: Organization, user: Any, role: str = MemberRole.EDITOR
) -> OrganizationMember:
    if actor is not None:
        _require_publisher(actor, organization)
    with transaction.atomic():
        member, _ = OrganizationMember.objects.update_or_create(
            organization=organization, user=user, defaults={"role": role}
        )
        audit_record(
            actor=actor, action="opendata.member_add", target=organization, details={"user_id": user.pk, "role": role}
        )
    return member


# --- datasets ----------------------------------------------------------------------------------------

_DATASET_FIELDS = (
    "title_ko",
    "title_en",
    "description_ko",
    "description_en",
    "category",
    "licence",
    "frequency",
    "spatial",
    "temporal_start",
    "temporal_end",
    "private",
    "service_name",
    "api_filters",
    "primary_key",
    "extras",
)


def _validate_dataset(values: Mapping[str, Any], *, instance: Dataset | None = None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if "name" in values:
        name = values.get("name") or ""
        if not NAME_RE.match(name):
            errors["name"] = ["Must be 2–100 lower-case letters, digits, - or _."]
        elif Dataset.objects.filter(name=name).exclude(pk=instance.pk if instance else 0).exists():
            errors["name"] = ["That URL is already in use."]
    if "title_ko" in values and not (values.get("title_ko") or "").strip():
        errors["title"] = ["Missing value"]
    if "category" in values and values.get("category") not in Category.values:
        errors["category"] = [f"Must be one of {', '.join(Category.values)}."]
    if "licence" in values and values.get("licence") not in LICENCES:
        errors["license_id"] = [f"Must be one of {', '.join(LICENCES)}."]
    if "frequency" in values and values.get("frequency") not in Frequency.values:
        errors["frequency"] = [f"Must be one of {', '.join(Frequency.values)}."]
    service = values.get("service_name")
    if service:
        if not SERVICE_RE.match(service):
            errors["service_name"] = ["Letters, digits and _; starting with a letter."]
        elif Dataset.objects.filter(service_name=service).exclude(pk=instance.pk if instance else 0).exists():
            errors["service_name"] = ["That service name is already in use."]
    for key in ("tags",):
        bad = [t for t in values.get(key) or [] if not TAG_RE.match(str(t))]
        if bad:
            errors["tags"] = [f'Tag "{bad[0]}" must be alphanumeric characters or symbols: -_.']
    start, end = values.get("temporal_start"), values.get("temporal_end")
    if start and end and start > end:
        errors["temporal_end"] = ["The end of the period is before its start."]
    for key in ("api_filters", "primary_key"):
        if key in values and not isinstance(values.get(key) or [], list):
            errors[key] = ["Must be a list of column names."]
    return errors


def dataset_search_text(dataset: Dataset, tags: Iterable[str] | None = None) -> str:
    if tags is None:
        tags = list(dataset.tags.values_list("name", flat=True))
    org = dataset.organization
    field_labels: list[str] = []
    for res in dataset.resources.all():
        table = getattr(res, "table", None)
        if table is not None:
            field_labels.extend(f.get("info", {}).get("label") or f["id"] for f in table.fields)
        field_labels.append(res.name)
    return korean.search_text(
        dataset.title_ko,
        dataset.title_en,
        dataset.description_ko,
        dataset.description_en,
        list(tags),
        org.title_ko,
        org.title_en,
        CATEGORY_KO.get(dataset.category, ""),
        CATEGORY_EN.get(dataset.category, ""),
        dataset.service_name or "",
        dataset.name.replace("-", " "),
        field_labels,
    )


def _snapshot(dataset: Dataset) -> dict[str, Any]:
    return {
        "name": dataset.name,
        "title_ko": dataset.title_ko,
        "title_en": dataset.title_en,
        "description_ko": dataset.description_ko,
        "description_en": dataset.description_en,
        "category": dataset.category,
        "organization": dataset.organization.name,
        "licence": dataset.licence,
        "frequency": dataset.frequency,
        "spatial": dataset.spatial,
        "temporal_start": dataset.temporal_start.isoformat() if dataset.temporal_start else None,
        "temporal_end": dataset.temporal_end.isoformat() if dataset.temporal_end else None,
        "state": dataset.state,
        "private": dataset.private,
        "service_name": dataset.service_name,
        "tags": sorted(dataset.tags.values_list("name", flat=True)),
        "resources": [
            {
                "id": str(r.uid),
                "name": r.name,
                "kind": r.kind,
                "format": r.format,
                "table_version": r.table.version if hasattr(r, "table") else None,
            }
            for r in dataset.resources.filter(active=True).select_related("table")
        ],
    }


def _record_change(dataset: Dataset, *, actor: Any, action: str, note: str = "", bump: bool = True) -> DatasetVersion:
    """Bumps the version, stores the snapshot, re-indexes, audits. Inside the caller's transaction."""
    now = clock.now()
    if bump:
        Dataset.objects.filter(pk=dataset.pk).update(version=F("version") + 1, modified_at=now)
        dataset.refresh_from_db(fields=["version", "modified_at"])
    text = dataset_search_text(dataset)
    Dataset.objects.filter(pk=dataset.pk).update(search_text=text)
    dataset.search_text = text
    if dataset.state == DatasetState.DELETED:
        search.unindex("dataset", dataset.pk)
    else:
        search.index("dataset", dataset.pk, text)
    version = DatasetVersion.objects.create(
        dataset=dataset,
        number=dataset.version,
        action=action,
        snapshot=_snapshot(dataset),
        note=note[:300],
        actor=actor if actor is not None and actor.is_authenticated else None,
        at=now,
    )
    audit_record(
        actor=actor,
        action=f"opendata.{action}",
        target=dataset,
        details={"name": dataset.name, "version": dataset.version},
    )
    return version


def _set_tags(dataset: Dataset, tags: Iterable[str]) -> None:
    clean = list(dict.fromkeys(str(t).strip()[:100] for t in tags if str(t).strip()))
    DatasetTag.objects.filter(dataset=dataset).exclude(name__in=clean).delete()
    existing = set(DatasetTag.objects.filter(dataset=dataset).values_list("name", flat=True))
    DatasetTag.objects.bulk_create([DatasetTag(dataset=dataset, name=t) for t in clean if t not in existing])


def dataset_create(
    *,
    actor: Any,
    organization: Organization,
    name: str,
    title_ko: str,
    title_en: str = "",
    description_ko: str = "",
    description_en: str = "",
    category: str,
    licence: str = "KOGL-1",
    frequency: str = Frequency.IRREGULAR,
    tags: Sequence[str] = (),
    spatial: str = "",
    temporal_start: date | None = None,
    temporal_end: date | None = None,
    private: bool = False,
    service_name: str | None = None,
    api_filters: Sequence[str] = (),
    primary_key: Sequence[str] = (),
    extras: Mapping[str, str] | None = None,
    state: str = DatasetState.DRAFT,
    export_key: str = "",
) -> Dataset:
    if actor is not None:
        _require_publisher(actor, organization)
    values = {
        "name": name,
        "title_ko": title_ko,
        "category": category,
        "licence": licence,
        "frequency": frequency,
        "service_name": service_name,
        "tags": list(tags),
        "temporal_start": temporal_start,
        "temporal_end": temporal_end,
        "api_filters": list(api_filters),
        "primary_key": list(primary_key),
    }
    errors = _validate_dataset(values)
    if state not in DatasetState.values:
        errors["state"] = ["Must be draft or active."]
    if errors:
        raise FieldErrors(errors)
    now = clock.now()
    with transaction.atomic():
        dataset = Dataset.objects.create(
            name=name,
            title_ko=title_ko.strip(),
            title_en=title_en.strip(),
            description_ko=description_ko,
            description_en=description_en,
            category=category,
            organization=organization,
            licence=licence,
            frequency=frequency,
            spatial=spatial,
            temporal_start=temporal_start,
            temporal_end=temporal_end,
            private=private,
            service_name=service_name or None,
            api_filters=list(api_filters),
            primary_key=list(primary_key),
            extras=dict(extras or {}),
            state=state,
            export_key=export_key,
            created_at=now,
            modified_at=now,
            published_at=now if state == DatasetState.ACTIVE else None,
            created_by=actor if actor is not None and actor.is_authenticated else None,
        )
        _set_tags(dataset, tags)
        _record_change(dataset, actor=actor, action="dataset_create", bump=False)
    return dataset


def dataset_update(
    *, actor: Any, dataset: Dataset, tags: Sequence[str] | None = None, note: str = "", **changes: Any
) -> Dataset:
    """Changes metadata (only the given fields), bumping the version."""
    if actor is not None:
        _require_publisher(actor, dataset.organization)
    unknown = set(changes) - set(_DATASET_FIELDS) - {"name", "state", "organization"}
    if unknown:
        raise FieldErrors({k: ["This field cannot be changed."] for k in sorted(unknown)})
    values = dict(changes)
    if tags is not None:
        values["tags"] = list(tags)
    values.setdefault("temporal_start", changes.get("temporal_start", dataset.temporal_start))
    values.setdefault("temporal_end", changes.get("temporal_end", dataset.temporal_end))
    errors = _validate_dataset(values, instance=dataset)
    if "state" in changes and changes["state"] not in DatasetState.values:
        errors["state"] = ["Must be draft, active or deleted."]
    if "organization" in changes and actor is not None:
        _require_publisher(actor, changes["organization"])
    if errors:
        raise FieldErrors(errors)
    with transaction.atomic():
        for key, value in changes.items():
            if key == "service_name":
                value = value or None
            setattr(dataset, key, value)
        if changes.get("state") == DatasetState.ACTIVE and dataset.published_at is None:
            dataset.published_at = clock.now()
        dataset.save()
        if tags is not None:
            _set_tags(dataset, tags)
        _record_change(dataset, actor=actor, action="dataset_update", note=note)
    return dataset


def dataset_publish(*, actor: Any, dataset: Dataset) -> Dataset:
    return dataset_update(actor=actor, dataset=dataset, state=DatasetState.ACTIVE, note="published")


def dataset_delete(*, actor: Any, dataset: Dataset) -> Dataset:
    return dataset_update(actor=actor, dataset=dataset, state=DatasetState.DELETED, note="deleted")


# --- resources and the datastore -----------------------------------------------------------------------


def resource_create(
    *,
    actor: Any,
    dataset: Dataset,
    name: str,
    kind: str = ResourceKind.LINK,
    format: str = "",
    url: str = "",
    description: str = "",
) -> Resource:
    """A resource without a stored table: a link, an outside API, a chart or a map view."""
    if actor is not None:
        _require_publisher(actor, dataset.organization)
    errors: dict[str, list[str]] = {}
    if not (name or "").strip():
        errors["name"] = ["Missing value"]
    if kind not in ResourceKind.values:
        errors["kind"] = [f"Must be one of {', '.join(ResourceKind.values)}."]
    if kind in {ResourceKind.LINK, ResourceKind.API} and not url:
        errors["url"] = ["Missing value"]
    if errors:
        raise FieldErrors(errors)
    now = clock.now()
    fmt = (format or "").upper()[:20]
    with transaction.atomic():
        position = dataset.resources.count()
        res = Resource.objects.create(
            dataset=dataset,
            name=name.strip()[:200],
            description=description,
            kind=kind,
            format=fmt,
            mimetype=MEDIA_TYPES.get(fmt, ""),
            url=url,
            position=position,
            created_at=now,
            modified_at=now,
        )
        _record_change(dataset, actor=actor, action="resource_create", note=name)
    return res


def resource_update(*, actor: Any, resource: Resource, **changes: Any) -> Resource:
    if actor is not None:
        _require_publisher(actor, resource.dataset.organization)
    allowed = {"name", "description", "url", "format", "kind", "active"}
    unknown = set(changes) - allowed
    if unknown:
        raise FieldErrors({k: ["This field cannot be changed."] for k in sorted(unknown)})
    if "name" in changes and not (changes["name"] or "").strip():
        raise FieldErrors({"name": ["Missing value"]})
    with transaction.atomic():
        for key, value in changes.items():
            if key == "format":
                value = (value or "").upper()[:20]
                resource.mimetype = MEDIA_TYPES.get(value, resource.mimetype)
            setattr(resource, key, value)
        resource.modified_at = clock.now()
        resource.save()
        _record_change(resource.dataset, actor=actor, action="resource_update", note=resource.name)
    return resource


def _save_source(file: IO[bytes] | Path, dest: Path) -> int:
    dest.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(file, Path):
        shutil.copyfile(file, dest)
    else:
        with dest.open("wb") as out:
            chunks = getattr(file, "chunks", None)
            if callable(chunks):
                for chunk in chunks():
                    out.write(chunk)
            else:
                shutil.copyfileobj(file, out, 1 << 20)
    return dest.stat().st_size


def _check_table_file(file: IO[bytes] | Path, name: str) -> None:
    """Refuses, before anything is stored, an empty file or one whose bytes are not the table its
    name says (an image, document, program or web page named .csv, text named .xlsx)."""
    if isinstance(file, Path):
        with file.open("rb") as fh:
            head = fh.read(8192)
    else:
        head = file.read(8192)
        file.seek(0)
    try:
        uploads.check_table(head, name=name)
    except uploads.UploadRefused as exc:
        if exc.code == uploads.CODE_EMPTY:
            raise BadInput(_("The file is empty."), code=OpenDataErrorCode.BAD_FILE) from exc
        raise BadInput(
            _("The file is not the CSV or XLSX table its name says it is."), code=OpenDataErrorCode.BAD_FILE
        ) from exc


def upload_stage(
    *,
    actor: Any,
    dataset: Dataset,
    file: IO[bytes] | Path,
    original_name: str,
    resource: Resource | None = None,
    max_bad_share: float = datastore.MAX_BAD_ROW_SHARE,
) -> Upload:
    """Loads a CSV/XLSX into a staged table and records the report; nothing published changes.

    A file that is not a table, or whose bad rows exceed the limit, gives a FAILED upload."""
    if actor is not None:
        _require_publisher(actor, dataset.organization)
    if resource is not None and resource.dataset_id != dataset.pk:
        raise Missing("No such resource in this dataset.", code=OpenDataErrorCode.RESOURCE_NOT_FOUND)
    suffix = Path(original_name).suffix.lower()
    if suffix not in {".csv", ".txt", ".tsv", ".xlsx", ".xlsm"}:
        raise BadInput(_("Upload a CSV or XLSX file."), code=OpenDataErrorCode.BAD_FILE)
    _check_table_file(file, original_name)
    upload = Upload(
        dataset=dataset,
        resource=resource,
        original_name=Path(original_name).name[:200],
        status=UploadStatus.FAILED,
        created_at=clock.now(),
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    root = datastore_root()
    source = root / "sources" / f"{upload.uid}{suffix}"
    _save_source(file, source)
    staged = root / "staged" / f"{upload.uid}.parquet"
    declared = resource.table.fields if resource is not None and hasattr(resource, "table") else None
    first_table = dataset.resources.filter(active=True, table__isnull=False).order_by("position", "id").first()
    # The dataset's primary key belongs to its primary table (the first one), not to extra tables.
    is_primary = (resource is None and first_table is None) or (resource is not None and resource == first_table)
    try:
        result = datastore.load_table(
            source,
            staged,
            original_name=original_name,
            declared=declared,
            primary_key=dataset.primary_key if is_primary else (),
            max_bad_share=max_bad_share,
        )
    except datastore.LoadFailed as exc:
        upload.report = {"errors": [str(exc)], "bad_rows": [], "bad_row_count": 0, "widened": []}
    else:
        upload.report = result.report()
        upload.fields = result.fields
        upload.row_count = result.row_count
        upload.encoding = result.encoding
        upload.status = UploadStatus.VALIDATED if result.ok else UploadStatus.FAILED
        upload.staged_path = str(staged.relative_to(root)) if result.ok else ""
        if not result.ok:
            staged.unlink(missing_ok=True)
    upload.source_path = str(source.relative_to(root))
    with transaction.atomic():
        upload.save()
        audit_record(
            actor=actor,
            action="opendata.upload_stage",
            target=upload,
            details={
                "dataset": dataset.name,
                "status": upload.status,
                "bad_rows": upload.report.get("bad_row_count", 0),
                "rows": upload.row_count,
            },
        )
    return upload


def upload_publish(
    *,
    actor: Any,
    upload: Upload,
    resource_name: str = "",
    publish_dataset: bool = True,
    field_labels: Mapping[str, str] | None = None,
) -> Resource:
    """Makes a validated upload the live table (a new version of its resource, or a new
    resource); the previous version stays published if anything here fails."""
    dataset = upload.dataset
    if actor is not None:
        _require_publisher(actor, dataset.organization)
    if upload.status != UploadStatus.VALIDATED:
        raise Clash(
            "This upload did not pass validation; the published version is unchanged.",
            code=OpenDataErrorCode.UPLOAD_NOT_PUBLISHABLE,
        )
    root = datastore_root()
    staged = root / upload.staged_path
    if not staged.exists():
        raise Clash(
            "The staged table is gone; upload the file again.",
            code=OpenDataErrorCode.UPLOAD_NOT_PUBLISHABLE,
        )
    fields = [dict(f) for f in upload.fields]
    for f in fields:
        label = (field_labels or {}).get(f["id"])
        if label:
            f["info"] = {**f.get("info", {}), "label": label}
    now = clock.now()
    fmt = "XLSX" if upload.report.get("format") == "xlsx" else "CSV"
    with transaction.atomic():
        resource = upload.resource
        if resource is None:
            resource = Resource.objects.create(
                dataset=dataset,
                name=(resource_name or Path(upload.original_name).stem)[:200],
                kind=ResourceKind.TABLE,
                format=fmt,
                mimetype=MEDIA_TYPES[fmt],
                position=dataset.resources.count(),
                created_at=now,
                modified_at=now,
            )
        table = DatastoreTable.objects.select_for_update().filter(resource=resource).first()
        version = (table.version + 1) if table else 1
        final = _place_table(
            staged,
            root / "tables" / str(resource.uid) / f"v{version}.parquet",
            fields,
            upload.row_count,
            keep_source=True,
        )
        values = {
            "version": version,
            "path": str(final.relative_to(root)),
            "fields": fields,
            "row_count": upload.row_count,
            "source_name": upload.original_name,
            "encoding": upload.encoding,
            "loaded_at": now,
        }
        if table is None:
            DatastoreTable.objects.create(resource=resource, **values)
        else:
            DatastoreTable.objects.filter(pk=table.pk).update(**values)
        resource.file = upload.source_path
        resource.size = (root / upload.source_path).stat().st_size
        resource.format, resource.mimetype, resource.modified_at = fmt, MEDIA_TYPES[fmt], now
        resource.active = True
        resource.save()
        upload.status, upload.published_at, upload.resource = UploadStatus.PUBLISHED, now, resource
        upload.save(update_fields=["status", "published_at", "resource"])
        if publish_dataset and dataset.state == DatasetState.DRAFT:
            dataset.state, dataset.published_at = DatasetState.ACTIVE, now
            dataset.save(update_fields=["state", "published_at"])
        resource = Resource.objects.select_related("table").get(pk=resource.pk)
        _record_change(
            dataset, actor=actor, action="table_publish", note=f"{resource.name} v{version}: {upload.row_count} rows"
        )
    transaction.on_commit(lambda: staged.unlink(missing_ok=True))
    return resource


def upload_discard(*, actor: Any, upload: Upload) -> Upload:
    if actor is not None:
        _require_publisher(actor, upload.dataset.organization)
    if upload.status == UploadStatus.PUBLISHED:
        raise BadInput("A published upload cannot be discarded.", code=OpenDataErrorCode.UPLOAD_NOT_PUBLISHABLE)
    with transaction.atomic():
        upload.status = UploadStatus.DISCARDED
        upload.save(update_fields=["status"])
        audit_record(actor=actor, action="opendata.upload_discard", target=upload)
    if upload.staged_path:
        (datastore_root() / upload.staged_path).unlink(missing_ok=True)
    return upload


def _place_table(
    staged: Path, final: Path, fields: Sequence[dict[str, Any]], row_count: int, *, keep_source: bool
) -> Path:
    """Puts a table version in its place, with the sorted projections that speed up filters."""
    final.parent.mkdir(parents=True, exist_ok=True)
    if keep_source:
        shutil.copyfile(staged, final)
    else:
        staged.replace(final)
    datastore.build_projections(final, fields, row_count)
    return final


def table_write(
    *,
    actor: Any,
    dataset: Dataset,
    resource_name: str,
    fields: Sequence[dict[str, Any]],
    rows: Iterable[Mapping[str, Any]],
    note: str = "",
) -> Resource:
    """Publishes rows with a known schema as the dataset's table (exports and demo data)."""
    root = datastore_root()
    now = clock.now()
    resource = dataset.resources.filter(name=resource_name, kind=ResourceKind.TABLE).first()
    staged = root / "staged" / f"write-{dataset.uid}-{now.timestamp():.6f}.parquet"
    count = datastore.write_table(iter(dict(r) for r in rows), fields, staged)
    with transaction.atomic():
        if resource is None:
            resource = Resource.objects.create(
                dataset=dataset,
                name=resource_name,
                kind=ResourceKind.TABLE,
                format="CSV",
                mimetype=MEDIA_TYPES["CSV"],
                position=dataset.resources.count(),
                created_at=now,
                modified_at=now,
            )
        table = DatastoreTable.objects.select_for_update().filter(resource=resource).first()
        version = (table.version + 1) if table else 1
        final = _place_table(
            staged, root / "tables" / str(resource.uid) / f"v{version}.parquet", fields, count, keep_source=False
        )
        values = {
            "version": version,
            "path": str(final.relative_to(root)),
            "fields": list(fields),
            "row_count": count,
            "source_name": resource_name,
            "encoding": "utf-8",
            "loaded_at": now,
        }
        if table is None:
            DatastoreTable.objects.create(resource=resource, **values)
        else:
            DatastoreTable.objects.filter(pk=table.pk).update(**values)
        resource.size = final.stat().st_size
        resource.modified_at = now
        resource.save(update_fields=["size", "modified_at"])
        _record_change(dataset, actor=actor, action="table_write", note=note or f"{resource_name}: {count} rows")
    return resource


# --- module exports -----------------------------------------------------------------------------------


def _export_fields(export: OpenDataExport) -> list[dict[str, Any]]:
    known = set(datastore.TYPES)
    return [
        {
            "id": f.name,
            "type": f.type if f.type in known else "string",
            "info": {
                "label": f.label_ko or f.description or f.name,
                "label_en": f.description or f.name,
                "api_name": f.name.upper(),
                "notes": f.description,
            },
        }
        for f in export.fields
    ]


def export_refresh(*, export: OpenDataExport) -> Dataset:
    """Publishes (or refreshes) one module export as a dataset with its schema and licence."""
    org = organization_ensure(
        name=EXPORT_ORGANIZATION,
        title_ko="서울특별시 데이터전략과",
        title_en="Seoul Data Strategy Division",
        kind=PublisherKind.CITY,
        department_code="seoul-data",
    )
    licence = export.licence if export.licence in LICENCES else "KOGL-1"
    category = export.category if export.category in Category.values else Category.ADMINISTRATION
    frequency = export.frequency if export.frequency in Frequency.values else Frequency.DAILY
    name = re.sub(r"[^a-z0-9_-]", "-", export.key.lower())[:100]
    dataset = Dataset.objects.filter(export_key=export.key).first()
    meta: dict[str, Any] = {
        "title_ko": export.title_ko,
        "title_en": export.title_en,
        "description_ko": export.description_ko,
        "description_en": export.description_en,
        "category": category,
        "licence": licence,
        "frequency": frequency,
        "primary_key": list(export.primary_key),
    }
    if dataset is None:
        dataset = dataset_create(
            actor=None,
            organization=org,
            name=name,
            tags=list(export.keywords),
            state=DatasetState.ACTIVE,
            export_key=export.key,
            **meta,
        )
    else:
        changed = {k: v for k, v in meta.items() if getattr(dataset, k) != v}
        if changed or dataset.state != DatasetState.ACTIVE:
            dataset = dataset_update(
                actor=None,
                dataset=dataset,
                tags=list(export.keywords),
                state=DatasetState.ACTIVE,
                note="export metadata",
                **changed,
            )
    table_write(
        actor=None,
        dataset=dataset,
        resource_name=name,
        fields=_export_fields(export),
        rows=export.rows(),
        note="scheduled refresh",
    )
    return Dataset.objects.get(pk=dataset.pk)


@dataclass
class RefreshSummary:
    refreshed: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


def exports_refresh_all(exports: Sequence[OpenDataExport] | None = None) -> RefreshSummary:
    """Refreshes every registered export; one failing export does not stop the others."""
    from smartseoul.core.registry import exports as registered

    summary = RefreshSummary()
    for export in exports if exports is not None else registered():
        try:
            export_refresh(export=export)
        except Exception as exc:  # an export's rows() belongs to another module; report it, continue
            log.exception("open-data export %s failed", export.key)
            summary.failed[export.key] = f"{exc.__class__.__name__}: {exc}"[:300]
        else:
            summary.refreshed.append(export.key)
    return summary


# --- usage --------------------------------------------------------------------------------------------

USAGE_KINDS = ("views", "downloads", "api_calls")


def usage_count(*, dataset_id: int, kind: str, n: int = 1) -> None:
    """Counts a view, download or API call for today (two indexed updates)."""
    if kind not in USAGE_KINDS or n <= 0:
        return
    day = clock.today_local().date()
    with transaction.atomic():
        updated = UsageDaily.objects.filter(dataset_id=dataset_id, day=day).update(**{kind: F(kind) + n})
        if not updated:
            row, created = UsageDaily.objects.get_or_create(dataset_id=dataset_id, day=day, defaults={kind: n})
            if not created:
                UsageDaily.objects.filter(pk=row.pk).update(**{kind: F(kind) + n})
        Dataset.objects.filter(pk=dataset_id).update(usage_total=F("usage_total") + n)


# --- API keys -----------------------------------------------------------------------------------------


def api_key_register(
    *,
    owner: Any,
    name: str,
    sample: bool = False,
    write: bool = False,
    second_factor: bool = False,
    daily_quota: int = DEFAULT_DAILY_QUOTA,
    request: Any = None,
) -> tuple[ApiKey, str]:
    """An open-data key, read-only unless `write` (publishing through CKAN's write actions, which
    also needs a publisher's permission). A sample (test) key returns at most 5 rows per call."""
    from smartseoul.accounts.services import api_key_create

    if not owner.is_authenticated:
        raise Forbidden("Sign in to register a key.", code=OpenDataErrorCode.NOT_ALLOWED)
    name = (name or "").strip()
    if not name:
        raise FieldErrors({"name": ["Give the key a name (e.g. the app that uses it)."]})
    scopes = ["opendata:read"] + (["opendata:write"] if write else []) + ([SAMPLE_SCOPE] if sample else [])
    with transaction.atomic():
        return api_key_create(owner=owner, name=name, scopes=scopes, daily_quota=daily_quota,
                              second_factor=second_factor, request=request)


def api_key_use(*, raw: str, write: bool = False) -> ApiKey:
    """The open-data key for `raw`, counting one call; BAD_API_KEY (403) or QUOTA_EXCEEDED (429)."""
    from smartseoul.accounts.errors import AccountError, AccountErrorCode
    from smartseoul.accounts.services import api_key_authenticate

    try:
        return api_key_authenticate(raw=raw, scope="opendata", write=write)
    except AccountError as exc:
        if exc.code == AccountErrorCode.QUOTA_EXCEEDED:
            raise QuotaExceeded("This key has used its daily quota.") from exc
        if exc.code == AccountErrorCode.KEY_READ_ONLY:
            raise Forbidden(exc.message, code=OpenDataErrorCode.BAD_API_KEY) from exc
        raise Forbidden("The API key is not valid.", code=OpenDataErrorCode.BAD_API_KEY) from exc


def api_key_is_sample(key: ApiKey) -> bool:
    return SAMPLE_SCOPE in (key.scopes or [])


# --- data requests --------------------------------------------------------------------------------------


def data_request_create(
    *, requester: Any, title: str, description: str, category: str, department_code: str, purpose: str = ""
) -> DataRequest:
    from smartseoul.core.selectors import department_by_code

    errors: dict[str, list[str]] = {}
    if not requester.is_authenticated:
        raise Forbidden("Sign in to request data.", code=OpenDataErrorCode.NOT_ALLOWED)
    if not (title or "").strip():
        errors["title"] = ["Missing value"]
    if not (description or "").strip():
        errors["description"] = ["Missing value"]
    if category not in Category.values:
        errors["category"] = [f"Must be one of {', '.join(Category.values)}."]
    try:
        department = department_by_code(department_code)
    except DomainError:
        errors["department"] = ["Unknown department."]
    if errors:
        raise FieldErrors(errors)
    now = clock.now()
    with transaction.atomic():
        req = DataRequest.objects.create(
            requester=requester,
            title=title.strip()[:200],
            description=description,
            purpose=purpose[:300],
            category=category,
            department_code=department.code,
            due_date=clock.today_local().date() + timedelta(days=DATA_REQUEST_DAYS),
            created_at=now,
        )
        notify(
            recipient=requester,
            kind="opendata.request_received",
            subject=f"데이터 제공 신청 접수: {req.title}",
            body=f"신청하신 데이터는 {req.due_date.isoformat()}까지 {department.name_ko}에서 답변합니다.",
            link=f"/opendata/requests/{req.uid}/",
        )
        if department.head is not None:
            notify(
                recipient=department.head,
                kind="opendata.request_assigned",
                subject=f"데이터 제공 신청: {req.title}",
                body=f"답변 기한: {req.due_date.isoformat()}",
                link=f"/opendata/requests/{req.uid}/",
            )
    return req


def can_answer_request(user: Any, req: DataRequest) -> bool:
    if user is None or not user.is_authenticated or not user.is_official:
        return False
    if user.is_city_admin:
        return True
    return user.department is not None and user.department.code == req.department_code


def data_request_answer(
    *,
    actor: Any,
    request: DataRequest,
    status: str,
    answer: str,
    legal_ground: str = "",
    dataset: Dataset | None = None,
) -> DataRequest:
    if not can_answer_request(actor, request):
        raise Forbidden("Only the owning department answers this request.", code=OpenDataErrorCode.NOT_ALLOWED)
    if request.status not in {RequestStatus.SUBMITTED, RequestStatus.WILL_PUBLISH}:
        raise Clash("This request has already been answered.", code=OpenDataErrorCode.REQUEST_ALREADY_ANSWERED)
    errors: dict[str, list[str]] = {}
    if status not in {
        RequestStatus.WILL_PUBLISH,
        RequestStatus.PARTIAL,
        RequestStatus.REFUSED,
        RequestStatus.PUBLISHED,
    }:
        errors["status"] = ["Answer: will publish, partially, refused or published."]
    if not (answer or "").strip():
        errors["answer"] = ["Missing value"]
    if status in {RequestStatus.REFUSED, RequestStatus.PARTIAL} and legal_ground not in LEGAL_GROUNDS:
        errors["legal_ground"] = ["A refusal or partial answer needs its legal ground."]
    if status == RequestStatus.PUBLISHED and dataset is None:
        errors["dataset"] = ["Name the published dataset."]
    if errors:
        raise FieldErrors(errors)
    with transaction.atomic():
        request.status, request.answer = status, answer
        request.legal_ground = legal_ground if status in {RequestStatus.REFUSED, RequestStatus.PARTIAL} else ""
        request.dataset = dataset
        request.answered_at, request.answered_by = clock.now(), actor
        request.save()
        audit_record(
            actor=actor,
            action="opendata.request_answer",
            target=request,
            details={"status": status, "legal_ground": request.legal_ground},
        )
        notify(
            recipient=request.requester,
            kind="opendata.request_answered",
            subject=f"데이터 제공 신청 답변: {request.title}",
            body=answer[:500],
            link=f"/opendata/requests/{request.uid}/",
        )
    return request


# --- app gallery ------------------------------------------------------------------------------------------


def showcase_submit(
    *, author: Any, title: str, description: str, url: str, kind: str = "app", dataset_names: Sequence[str] = ()
) -> Showcase:
    errors: dict[str, list[str]] = {}
    if not author.is_authenticated:
        raise Forbidden("Sign in to submit an app.", code=OpenDataErrorCode.NOT_ALLOWED)
    if not (title or "").strip():
        errors["title"] = ["Missing value"]
    if not (url or "").startswith(("https://", "http://")):
        errors["url"] = ["Give the app's web address (https://…)."]
    if kind not in {"app", "web", "visualisation"}:
        errors["kind"] = ["Must be app, web or visualisation."]
    datasets = list(Dataset.objects.filter(name__in=list(dataset_names), state=DatasetState.ACTIVE))
    if dataset_names and len(datasets) != len(set(dataset_names)):
        errors["datasets"] = ["Some datasets do not exist."]
    if errors:
        raise FieldErrors(errors)
    base = re.sub(r"[^a-z0-9]+", "-", korean.normalise(title)).strip("-")[:60] or "app"
    name, n = base, 1
    while Showcase.objects.filter(name=name).exists():
        n += 1
        name = f"{base}-{n}"
    with transaction.atomic():
        showcase = Showcase.objects.create(
            name=name,
            title=title.strip()[:200],
            description=description,
            url=url,
            kind=kind,
            author=author,
            created_at=clock.now(),
        )
        showcase.datasets.set(datasets)
    return showcase


def showcase_moderate(*, actor: Any, showcase: Showcase, approve: bool, note: str = "") -> Showcase:
    if not (actor.is_authenticated and (actor.has_capability("moderator") or actor.has_capability("publisher"))):
        raise Forbidden("Only moderators review the gallery.", code=OpenDataErrorCode.NOT_ALLOWED)
    if not approve and not note.strip():
        raise FieldErrors({"note": ["Say why the app is not shown."]})
    with transaction.atomic():
        showcase.status = ShowcaseStatus.APPROVED if approve else ShowcaseStatus.REJECTED
        showcase.moderation_note, showcase.moderated_at = note[:300], clock.now()
        showcase.save()
        audit_record(actor=actor, action="opendata.showcase_moderate", target=showcase, details={"approved": approve})
        notify(
            recipient=showcase.author,
            kind="opendata.showcase_moderated",
            subject=f"앱 갤러리 심사 결과: {showcase.title}",
            body=("게시되었습니다." if approve else f"게시되지 않았습니다: {note}"),
            link="/opendata/apps/",
        )
    return showcase


# --- Information Open Plaza ------------------------------------------------------------------------------


def _value_hash(kind: str, value: str) -> str:
    from smartseoul.accounts.services import identity_hash

    return identity_hash("opendata-pii", kind, re.sub(r"[\s\-.]", "", value).lower())


def _document_texts(document: Document) -> list[tuple[str, DocumentAttachment | None, str]]:
    """The parts of a document that would be public: title, body (unless closed), public attachments."""
    parts: list[tuple[str, DocumentAttachment | None, str]] = [("title", None, document.title)]
    if document.disclosure != Disclosure.CLOSED:
        parts.append(("body", None, document.body))
        parts.extend(("attachment", a, a.text) for a in document.attachments.filter(public=True))
    return parts


def document_scan(*, document: Document) -> list[PersonalDataFinding]:
    """Re-checks the document: open findings are replaced; waived ones stay waived."""
    now = clock.now()
    with transaction.atomic():
        waived = {
            (f.where, f.attachment_id, f.value_hash) for f in document.findings.filter(status=FindingStatus.WAIVED)
        }
        document.findings.filter(status=FindingStatus.OPEN).delete()
        created: list[PersonalDataFinding] = []
        for where, attachment, text in _document_texts(document):
            if attachment is not None and not _is_scannable(attachment.name):
                # A PDF, HWP or image cannot be read here: an official must look at it and say so.
                h = _value_hash(UNSCANNED, f"{attachment.pk}:{attachment.size}")
                if (where, attachment.pk, h) not in waived:
                    created.append(
                        PersonalDataFinding(
                            document=document,
                            attachment=attachment,
                            where=where,
                            kind=UNSCANNED,
                            start=0,
                            end=0,
                            excerpt=f"{attachment.name}: not readable automatically; check it by hand"[:200],
                            value_hash=h,
                            found_at=now,
                        )
                    )
                continue
            for hit in privacy.find(text or ""):
                h = _value_hash(hit.kind, hit.value)
                if (where, attachment.pk if attachment else None, h) in waived:
                    continue
                created.append(
                    PersonalDataFinding(
                        document=document,
                        attachment=attachment,
                        where=where,
                        kind=hit.kind,
                        start=hit.start,
                        end=hit.end,
                        excerpt=privacy.masked_excerpt(text, hit)[:200],
                        value_hash=h,
                        found_at=now,
                    )
                )
        PersonalDataFinding.objects.bulk_create(created)
        if document.status == DocumentStatus.BLOCKED and not created:
            document.status = DocumentStatus.DRAFT
            document.save(update_fields=["status"])
    return created


def _document_search_text(document: Document) -> str:
    parts = [document.title, document.number, document.department_name, str(DocumentType(document.doc_type).label)]
    if document.disclosure != Disclosure.CLOSED:
        parts.append(document.body)
        parts.extend(a.name for a in document.attachments.filter(public=True))
    return korean.search_text(*parts)


def _validate_document(values: Mapping[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not (values.get("number") or "").strip():
        errors["number"] = ["Missing value"]
    elif Document.objects.filter(number=values["number"].strip()).exists():
        errors["number"] = ["A document with this number already exists."]
    if not (values.get("title") or "").strip():
        errors["title"] = ["Missing value"]
    if values.get("doc_type") not in DocumentType.values:
        errors["doc_type"] = [f"Must be one of {', '.join(DocumentType.values)}."]
    if values.get("disclosure") not in Disclosure.values:
        errors["disclosure"] = [f"Must be one of {', '.join(Disclosure.values)}."]
    elif values["disclosure"] != Disclosure.OPEN and values.get("legal_ground") not in LEGAL_GROUNDS:
        errors["legal_ground"] = ["A partly open or closed document needs its legal ground."]
    if not isinstance(values.get("produced_on"), date):
        errors["produced_on"] = ["Give the date as YYYY-MM-DD."]
    return errors


@dataclass
class AttachmentIn:
    name: str
    content: bytes
    public: bool = True


_TEXT_SUFFIXES = {".txt", ".csv", ".md", ".tsv", ".json", ".xml", ".html"}
UNSCANNED = "unscanned"  # the finding kind of a public attachment whose text cannot be extracted


def _is_scannable(name: str) -> bool:
    return Path(name).suffix.lower() in _TEXT_SUFFIXES


def _attachment_text(name: str, content: bytes) -> str:
    if not _is_scannable(name):
        return ""
    for enc in ("utf-8-sig", "cp949"):
        try:
            return content.decode(enc)
        except UnicodeDecodeError:
            continue
    return content.decode("utf-8", errors="replace")


def document_create(
    *,
    actor: Any,
    number: str,
    title: str,
    body: str = "",
    doc_type: str,
    department_code: str,
    produced_on: date | None,
    disclosure: str = Disclosure.OPEN,
    legal_ground: str = "",
    attachments: Sequence[AttachmentIn] = (),
) -> Document:
    """Registers a document as a draft and checks it for personal data."""
    from smartseoul.core.selectors import department_by_code

    if actor is not None:
        _require_official(actor)
    values = {
        "number": number,
        "title": title,
        "doc_type": doc_type,
        "disclosure": disclosure,
        "legal_ground": legal_ground,
        "produced_on": produced_on,
    }
    errors = _validate_document(values)
    try:
        department = department_by_code(department_code)
    except DomainError:
        errors["department"] = ["Unknown department."]
    if errors or produced_on is None:
        raise FieldErrors(errors or {"produced_on": ["Give the date as YYYY-MM-DD."]})
    now = clock.now()
    with transaction.atomic():
        doc = Document.objects.create(
            number=number.strip()[:60],
            title=title.strip()[:300],
            body=body,
            doc_type=doc_type,
            department_code=department.code,
            department_name=department.name_ko,
            produced_on=produced_on,
            disclosure=disclosure,
            legal_ground=legal_ground if disclosure != Disclosure.OPEN else "",
            created_by=actor if actor is not None and actor.is_authenticated else None,
            created_at=now,
            modified_at=now,
        )
        root = documents_root()
        for att in attachments:
            safe = re.sub(r"[^\w.\-]+", "_", Path(att.name).name)[:150] or "attachment"
            rel = Path(str(doc.uid)) / safe
            dest = root / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(att.content)
            DocumentAttachment.objects.create(
                document=doc,
                name=Path(att.name).name[:200],
                file=str(rel),
                size=len(att.content),
                mimetype=MEDIA_TYPES.get(Path(att.name).suffix.upper().lstrip("."), "application/octet-stream"),
                text=_attachment_text(att.name, att.content),
                public=att.public,
            )
        document_scan(document=doc)
        doc.search_text = _document_search_text(doc)
        doc.save(update_fields=["search_text"])
        audit_record(actor=actor, action="opendata.document_create", target=doc, details={"number": doc.number})
    return doc


def _field_text(finding: PersonalDataFinding) -> str:
    if finding.where == "title":
        return finding.document.title
    if finding.where == "body":
        return finding.document.body
    assert finding.attachment is not None  # noqa: S101  (narrows the type for mypy; guaranteed by the code above)
    return finding.attachment.text


def document_redact(*, actor: Any, finding: PersonalDataFinding) -> PersonalDataFinding:
    """Masks the found value (every occurrence in that part of the document)."""
    _require_official(actor)
    if finding.status != FindingStatus.OPEN:
        raise Clash("This finding is already resolved.", code=OpenDataErrorCode.FINDING_NOT_FOUND)
    if finding.kind == UNSCANNED:
        raise BadInput(
            "This attachment cannot be redacted here: withhold it from the public copy, replace it with a "
            "redacted file, or waive the finding after checking it by hand.",
            code=OpenDataErrorCode.PERSONAL_DATA,
        )
    doc = finding.document
    with transaction.atomic():
        text = _field_text(finding)
        spans = [
            (h.start, h.end, h.kind)
            for h in privacy.find(text)
            if h.kind == finding.kind and _value_hash(h.kind, h.value) == finding.value_hash
        ]
        if not spans:
            spans = [(finding.start, finding.end, finding.kind)]
        new_text = privacy.redact(text, spans)
        if finding.where == "title":
            doc.title = new_text[:300]
        elif finding.where == "body":
            doc.body = new_text
        else:
            assert finding.attachment is not None  # noqa: S101  (narrows the type for mypy; guaranteed by the code above)
            finding.attachment.text = new_text
            finding.attachment.save(update_fields=["text"])
            if _is_scannable(finding.attachment.name):
                (documents_root() / finding.attachment.file).write_text(new_text, encoding="utf-8")
        doc.modified_at = clock.now()
        doc.save()
        now = clock.now()
        doc.findings.filter(
            where=finding.where, attachment=finding.attachment, value_hash=finding.value_hash, status=FindingStatus.OPEN
        ).update(status=FindingStatus.REDACTED, resolved_by=actor, resolved_at=now)
        remaining = document_scan(document=doc)
        doc.search_text = _document_search_text(doc)
        doc.save(update_fields=["search_text"])
        audit_record(
            actor=actor,
            action="opendata.document_redact",
            target=doc,
            details={"kind": finding.kind, "where": finding.where, "open_left": len(remaining)},
        )
    finding.refresh_from_db()
    return finding


def document_waive(*, actor: Any, finding: PersonalDataFinding, reason: str) -> PersonalDataFinding:
    """Keeps the value public on purpose (e.g. a public official's work e-mail), with a reason."""
    _require_official(actor)
    if finding.status != FindingStatus.OPEN:
        raise Clash("This finding is already resolved.", code=OpenDataErrorCode.FINDING_NOT_FOUND)
    if len((reason or "").strip()) < 5:
        raise FieldErrors({"reason": ["Say why this may stay public."]})
    with transaction.atomic():
        finding.status, finding.reason = FindingStatus.WAIVED, reason.strip()[:300]
        finding.resolved_by, finding.resolved_at = actor, clock.now()
        finding.save()
        audit_record(
            actor=actor,
            action="opendata.document_waive",
            target=finding.document,
            details={"kind": finding.kind, "where": finding.where, "reason": finding.reason},
        )
    return finding


def document_publish(*, actor: Any, document: Document) -> Document:
    """Publishes the document, or blocks it while personal-data findings are open."""
    _require_official(actor)
    if document.status == DocumentStatus.PUBLISHED:
        return document
    open_findings = document_scan(document=document)
    with transaction.atomic():
        if open_findings:
            document.status = DocumentStatus.BLOCKED
            document.save(update_fields=["status"])
            audit_record(
                actor=actor,
                action="opendata.document_blocked",
                target=document,
                details={"open_findings": len(open_findings), "kinds": sorted({f.kind for f in open_findings})},
            )
        else:
            document.status, document.published_at = DocumentStatus.PUBLISHED, clock.now()
            document.save(update_fields=["status", "published_at"])
            search.index("document", document.pk, document.search_text)
            audit_record(
                actor=actor, action="opendata.document_publish", target=document, details={"number": document.number}
            )
    if open_findings:
        raise Clash(
            f"Personal data found ({len(open_findings)}); redact it or waive it with a reason before publishing.",
            code=OpenDataErrorCode.PERSONAL_DATA,
            findings=len(open_findings),
        )
    return document


def document_withdraw(*, actor: Any, document: Document, reason: str) -> Document:
    _require_official(actor)
    if len((reason or "").strip()) < 5:
        raise FieldErrors({"reason": ["Say why the document is withdrawn."]})
    with transaction.atomic():
        document.status = DocumentStatus.WITHDRAWN
        document.save(update_fields=["status"])
        search.unindex("document", document.pk)
        audit_record(actor=actor, action="opendata.document_withdraw", target=document, details={"reason": reason})
    return document


IMPORT_COLUMNS = (
    "number",
    "title",
    "doc_type",
    "department_code",
    "produced_on",
    "disclosure",
    "legal_ground",
    "body",
    "attachments",
)


@dataclass
class ImportSummary:
    created: int = 0
    published: int = 0
    blocked: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    total: int = 0


def documents_import(
    *,
    actor: Any,
    csv_path: Path,
    files_dir: Path | None = None,
    publish: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportSummary:
    """Bulk import: a CSV of metadata (IMPORT_COLUMNS; `attachments` lists file names separated
    by `;`) plus a folder of files. Each row is its own document; a bad row is reported by line
    and the others continue. With `publish`, documents without personal data are published."""
    encoding = datastore.detect_encoding(csv_path)
    with csv_path.open("r", encoding=encoding, newline="") as fh:
        rows = list(csv.DictReader(fh))
    if rows and not {"number", "title", "doc_type", "department_code", "produced_on"} <= set(rows[0]):
        raise BadInput(
            "The CSV needs the columns " + ", ".join(IMPORT_COLUMNS) + ".", code=OpenDataErrorCode.BAD_IMPORT
        )
    summary = ImportSummary(total=len(rows))
    base = files_dir.resolve() if files_dir else None
    for i, row in enumerate(rows, start=2):
        try:
            atts: list[AttachmentIn] = []
            for name in filter(None, (n.strip() for n in (row.get("attachments") or "").split(";"))):
                if base is None:
                    raise BadInput(f"Attachment {name} given but no files folder.", code=OpenDataErrorCode.BAD_IMPORT)
                path = (base / name).resolve()
                if base not in path.parents or not path.is_file():
                    raise BadInput(
                        f"Attachment {name} not found in the files folder.", code=OpenDataErrorCode.BAD_IMPORT
                    )
                atts.append(AttachmentIn(name=name, content=path.read_bytes()))
            try:
                produced = date.fromisoformat((row.get("produced_on") or "").strip())
            except ValueError:
                produced = None
            doc = document_create(
                actor=actor,
                number=(row.get("number") or "").strip(),
                title=row.get("title") or "",
                body=row.get("body") or "",
                doc_type=(row.get("doc_type") or "").strip(),
                department_code=(row.get("department_code") or "").strip(),
                produced_on=produced,
                disclosure=(row.get("disclosure") or Disclosure.OPEN).strip(),
                legal_ground=(row.get("legal_ground") or "").strip(),
                attachments=atts,
            )
            summary.created += 1
            if publish and actor is not None:
                try:
                    document_publish(actor=actor, document=doc)
                    summary.published += 1
                except Clash:
                    summary.blocked += 1
        except FieldErrors as exc:
            summary.errors.append({"line": i, "errors": exc.errors})
        except DomainError as exc:
            summary.errors.append({"line": i, "errors": {"row": [exc.message]}})
        if progress is not None:
            progress(i - 1, len(rows))
    return summary
