"""Fixtures of the open-data tests: publishers, a district publisher, datasets with tables."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

PARKING_CSV = (
    "주차장코드(PARKING_CODE),주차장명(PARKING_NAME),자치구,주차면수(CAPACITY),요금(FEE),위도,경도\n"
    "PK001,세종로 공영주차장,종로구,120,1000,37.5725,126.9768\n"
    "PK002,종묘 공영주차장을 이용,종로구,400,800,37.5712,126.9941\n"
    "PK003,동대문 주차장,종로구,80,500,37.5711,127.0095\n"
    "PK004,혜화 주차장,종로구,60,500,37.5822,127.0018\n"
    "PK005,창신 주차장,종로구,45,300,37.5755,127.0124\n"
    "PK006,평창 주차장,종로구,30,300,37.6120,126.9750\n"
)


@pytest.fixture
def jongno(city: Any) -> Any:
    from smartseoul.opendata import services

    return services.organization_ensure(
        name="jongno-gu", title_ko="서울특별시 종로구", title_en="Jongno-gu", kind="district", district_code="11110"
    )


@pytest.fixture
def publisher(city: Any, make_user: Any) -> Any:
    """An official of Jongno-gu's parking team with the open-data publisher capability."""
    return make_user("publisher", role="official", department="11110-parking", capabilities=("publisher",))


@pytest.fixture
def parking_csv(tmp_path: Path) -> Path:
    path = tmp_path / "parking.csv"
    path.write_bytes(PARKING_CSV.encode("cp949"))
    return path


@pytest.fixture
def parking(jongno: Any, publisher: Any, parking_csv: Path) -> Any:
    """A published dataset with a table and a Seoul OpenAPI service name."""
    from smartseoul.opendata import services

    ds = services.dataset_create(
        actor=publisher,
        organization=jongno,
        name="jongno-parking",
        title_ko="종로구 공영주차장을 안내합니다",
        title_en="Jongno-gu public parking",
        description_ko="종로구 공영주차장 위치와 요금",
        category="transport",
        tags=["주차", "교통"],
        service_name="JongnoParking",
        api_filters=["자치구"],
        primary_key=["주차장코드(PARKING_CODE)"],
    )
    upload = services.upload_stage(actor=publisher, dataset=ds, file=parking_csv, original_name="parking.csv")
    assert upload.status == "validated", upload.report
    services.upload_publish(actor=publisher, upload=upload, resource_name="parking")
    ds.refresh_from_db()
    return ds
