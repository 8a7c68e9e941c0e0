"""Services: datasets are versioned and audited, uploads stage before publishing, a failed
upload leaves the published version, exports publish module data, usage counts."""

from __future__ import annotations

import pytest

from smartseoul.core.models import AuditEvent
from smartseoul.core.registry import ExportField, OpenDataExport
from smartseoul.opendata import selectors, services
from smartseoul.opendata.errors import FieldErrors, Forbidden
from smartseoul.opendata.models import Dataset, DatasetVersion, Upload, UsageDaily

pytestmark = pytest.mark.django_db


def test_dataset_changes_are_versioned_and_audited(parking, publisher):
    versions_before = DatasetVersion.objects.filter(dataset=parking).count()
    services.dataset_update(actor=publisher, dataset=parking, title_en="Parking in Jongno", tags=["주차", "공영"])
    parking.refresh_from_db()
    assert DatasetVersion.objects.filter(dataset=parking).count() == versions_before + 1
    latest = DatasetVersion.objects.filter(dataset=parking).first()
    assert latest.snapshot["title_en"] == "Parking in Jongno"
    assert latest.snapshot["tags"] == ["공영", "주차"]
    assert AuditEvent.objects.filter(action="opendata.dataset_update", target_id=str(parking.pk)).exists()


def test_validation_errors_are_per_field_and_store_nothing(jongno, publisher):
    with pytest.raises(FieldErrors) as err:
        services.dataset_create(actor=publisher, organization=jongno, name="Bad Name!", title_ko="", category="nope")
    assert set(err.value.errors) == {"name", "title", "category"}
    assert not Dataset.objects.exists()


def test_name_must_be_unique(parking, publisher, jongno):
    with pytest.raises(FieldErrors) as err:
        services.dataset_create(
            actor=publisher, organization=jongno, name="jongno-parking", title_ko="x", category="transport"
        )
    assert err.value.errors["name"] == ["That URL is already in use."]


def test_only_publishers_of_the_organisation_may_publish(jongno, make_user, city):
    outsider = make_user("gangnam", role="official", department="11680-parking", capabilities=("publisher",))
    citizen = make_user("someone")
    for user in (outsider, citizen):
        with pytest.raises(Forbidden):
            services.dataset_create(actor=user, organization=jongno, name="x-data", title_ko="x", category="safety")


def test_upload_that_fails_validation_leaves_the_previous_version_published(parking, publisher, tmp_path):
    res, table = selectors.primary_table(parking)
    before = (table.version, table.row_count, table.path)
    broken = tmp_path / "broken.csv"
    broken.write_text("주차장코드(PARKING_CODE),주차장명(PARKING_NAME)\nA,b,c,d\nB,c,d,e\nC,1\n", encoding="utf-8")
    upload = services.upload_stage(
        actor=publisher, dataset=parking, file=broken, original_name="broken.csv", resource=res
    )
    assert upload.status == "failed"
    with pytest.raises(Exception) as err:
        services.upload_publish(actor=publisher, upload=upload)
    assert getattr(err.value, "code", "") == "upload_not_publishable"
    table.refresh_from_db()
    assert (table.version, table.row_count, table.path) == before
    rows = selectors.table_query(table, limit=10)
    assert rows.total == 6


def test_new_upload_becomes_the_next_table_version(parking, publisher, tmp_path):
    res, table = selectors.primary_table(parking)
    newer = tmp_path / "newer.csv"
    newer.write_text(
        "주차장코드(PARKING_CODE),주차장명(PARKING_NAME),자치구,주차면수(CAPACITY),요금(FEE),위도,경도\n"
        "PK010,새 주차장,종로구,10,100,37.57,126.98\n",
        encoding="utf-8",
    )
    upload = services.upload_stage(
        actor=publisher, dataset=parking, file=newer, original_name="newer.csv", resource=res
    )
    services.upload_publish(actor=publisher, upload=upload)
    table.refresh_from_db()
    assert table.version == 2 and table.row_count == 1
    assert Upload.objects.get(pk=upload.pk).status == "published"


def test_a_published_large_table_gets_sorted_projections(parking, publisher, tmp_path, monkeypatch):
    from smartseoul.opendata import datastore

    monkeypatch.setattr(datastore, "PROJECTION_MIN_ROWS", 3)
    res, table = selectors.primary_table(parking)
    newer = tmp_path / "newer.csv"
    newer.write_text(
        "주차장코드(PARKING_CODE),주차장명(PARKING_NAME),자치구,주차면수(CAPACITY),요금(FEE),위도,경도\n"
        + "".join(f"PK{i:03d},주차장 {i},{'종로구' if i % 2 else '중구'},{i},100,37.57,126.98\n" for i in range(9)),
        encoding="utf-8",
    )
    upload = services.upload_stage(
        actor=publisher, dataset=parking, file=newer, original_name="newer.csv", resource=res
    )
    services.upload_publish(actor=publisher, upload=upload)
    table.refresh_from_db()
    projections = sorted(p.name for p in selectors.table_path(table).parent.glob(f"v{table.version}.by-*.parquet"))
    # the district (2 values), then the code (9, first of the ties); the fee has one value only
    assert projections == [f"v{table.version}.by-1.parquet", f"v{table.version}.by-3.parquet"]
    rows = selectors.table_query(table, filters={"자치구": "중구"}, limit=10)
    assert rows.total == 5 and {r["자치구"] for r in rows.records} == {"중구"}


def test_upload_of_another_kind_of_file_is_refused(parking, publisher, tmp_path):
    doc = tmp_path / "x.pdf"
    doc.write_bytes(b"%PDF-1.4")
    with pytest.raises(Exception) as err:
        services.upload_stage(actor=publisher, dataset=parking, file=doc, original_name="x.pdf")
    assert getattr(err.value, "code", "") == "bad_file"


def test_exports_become_datasets_with_schema_and_licence(city):
    rows = [
        {"day": "2025-11-01", "district_code": "11110", "count": 3},
        {"day": "2025-11-02", "district_code": "11140", "count": 5},
    ]
    export = OpenDataExport(
        key="complaints-daily",
        title_ko="일별 민원 접수 현황",
        title_en="Complaints per day",
        description_ko="민원",
        description_en="Complaints",
        category="administration",
        licence="KOGL-1",
        keywords=("민원",),
        fields=(ExportField("day", "date"), ExportField("district_code", "string"), ExportField("count", "integer")),
        rows=lambda: iter(rows),
        primary_key=("day", "district_code"),
    )
    broken = OpenDataExport(
        key="broken",
        title_ko="x",
        title_en="x",
        description_ko="x",
        description_en="x",
        category="safety",
        fields=(ExportField("a", "string"),),
        rows=lambda: 1 / 0,
    )
    summary = services.exports_refresh_all([export, broken])
    assert summary.refreshed == ["complaints-daily"] and "broken" in summary.failed
    ds = Dataset.objects.get(export_key="complaints-daily")
    assert ds.state == "active" and ds.licence == "KOGL-1" and ds.primary_key == ["day", "district_code"]
    _res, table = selectors.primary_table(selectors.dataset_get(ds.name))
    assert [f["type"] for f in table.fields] == ["date", "string", "integer"]
    rows.append({"day": "2025-11-03", "district_code": "11110", "count": 1})
    services.exports_refresh_all([export])
    table.refresh_from_db()
    assert table.row_count == 3 and table.version == 2


def test_usage_counts_per_day_and_total(parking):
    services.usage_count(dataset_id=parking.pk, kind="views")
    services.usage_count(dataset_id=parking.pk, kind="views")
    services.usage_count(dataset_id=parking.pk, kind="downloads")
    services.usage_count(dataset_id=parking.pk, kind="bogus")
    row = UsageDaily.objects.get(dataset=parking)
    assert (row.views, row.downloads, row.api_calls) == (2, 1, 0)
    parking.refresh_from_db()
    assert parking.usage_total == 3
    assert selectors.usage_by_category(7)["per_category"]["transport"]["views"] == 2


def test_data_request_answer_needs_the_department_and_a_legal_ground(city, make_user):
    citizen = make_user("asker")
    req = services.data_request_create(
        requester=citizen,
        title="전기차 충전소",
        description="실시간",
        category="transport",
        department_code="seoul-transport",
    )
    other = make_user("other-official", role="official", department="seoul-welfare")
    with pytest.raises(Forbidden):
        services.data_request_answer(actor=other, request=req, status="refused", answer="no")
    owner = make_user("transport-official", role="official", department="seoul-transport")
    with pytest.raises(FieldErrors) as err:
        services.data_request_answer(actor=owner, request=req, status="refused", answer="제공 불가")
    assert "legal_ground" in err.value.errors
    services.data_request_answer(
        actor=owner, request=req, status="refused", answer="제공 불가", legal_ground="art9-1-7"
    )
    req.refresh_from_db()
    assert req.status == "refused" and req.legal_ground == "art9-1-7"
    assert AuditEvent.objects.filter(action="opendata.request_answer").exists()


def test_showcase_is_shown_only_after_moderation(parking, make_user):
    author = make_user("dev")
    item = services.showcase_submit(
        author=author, title="주차 앱", description="d", url="https://example.org", dataset_names=["jongno-parking"]
    )
    assert not selectors.showcases().exists()
    moderator = make_user("mod", capabilities=("moderator",))
    services.showcase_moderate(actor=moderator, showcase=item, approve=True)
    assert list(selectors.showcases()) == [item]


def test_sample_keys_are_marked(citizen):
    key, raw = services.api_key_register(owner=citizen, name="test", sample=True)
    assert services.api_key_is_sample(key)
    assert services.api_key_use(raw=raw).pk == key.pk
