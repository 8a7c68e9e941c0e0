"""The native API's contract (django-ninja / pydantic). Public shapes never carry the reporter,
contact fields, private attributes or exact positions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import Field


class AttributeValueOut(Schema):
    key: str
    name: str


class AttributeOut(Schema):
    code: str
    datatype: str
    required: bool
    variable: bool
    order: int
    description: str
    values: list[AttributeValueOut]


class CategoryOut(Schema):
    code: str
    name: str
    name_ko: str
    name_en: str
    group: str
    icon: str
    response_days: int
    parking_evidence: bool
    attributes: list[AttributeOut]


class ReportIn(Schema):
    category: str = Field(max_length=32)
    lat: float | None = None
    lon: float | None = None
    address: str = Field("", max_length=300)
    description: str = Field("", max_length=4000)
    attributes: dict[str, Any] = Field(default_factory=dict)
    media_ids: list[int] = Field(default_factory=list, max_length=4)


class ReceiptOut(Schema):
    number: str
    status: str
    category: str
    department: str | None = Field(description="the responsible department; null while the report is being routed")
    district_code: str
    due_at: datetime
    fine_without_visit: bool
    url: str


class HistoryOut(Schema):
    at: datetime
    kind: str
    status: str
    note: str


class PhotoOut(Schema):
    url: str
    width: int | None
    height: int | None
    resolution: bool


class ReportOut(Schema):
    number: str
    status: str
    category: str
    category_name: str
    district_code: str
    neighborhood_code: str | None
    address: str
    description: str
    lat: float
    lon: float
    department: str | None = Field(description="the responsible department; null while the report is being routed")
    created_at: datetime
    due_at: datetime
    closed_at: datetime | None
    metoo_count: int
    merged_into: str | None
    photos: list[PhotoOut]
    history: list[HistoryOut]


class MineOut(Schema):
    number: str
    status: str
    category: str
    created_at: datetime
    fine_without_visit: bool


class MeTooOut(Schema):
    number: str
    metoo_count: int
    added: bool


class MediaOut(Schema):
    id: int
    kind: str
    source: str
    captured_at: datetime | None
    duration_s: float | None
    sha256: str


class NearbyOut(Schema):
    number: str
    status: str
    address: str
    distance_m: float
    metoo_count: int


class DistrictStatOut(Schema):
    code: str
    name: str
    count: int
    open: int
    avg_hours: float | None
