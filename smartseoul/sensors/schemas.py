"""API schemas of the sensors module."""

from __future__ import annotations

from typing import Any

from ninja import Schema


class BatchResult(Schema):
    stored: int
    refused: int = 0
    errors: list[dict[str, Any]] = []
    rows: int | None = None
    duplicates: int | None = None
    bad_rows: list[dict[str, Any]] = []
    refused_values: list[dict[str, Any]] = []


class ParkingLotOut(Schema):
    id: int
    name: str
    name_en: str = ""
    district_code: str
    lat: float
    lon: float
    address: str
    spots: int
    free: int
    occupied: int
    unknown: int
    shared_now: bool
    sharing_hours: list[dict[str, Any]]
    fee_note: str
    updated_at: str | None


class SharingHoursIn(Schema):
    sharing_hours: list[dict[str, Any]]


class DistrictAirOut(Schema):
    district_code: str
    hour: str
    pm10: float | None
    pm25: float | None
    dust_grade: str
    feels_like: float | None
    uv_level: str


class SubscriptionIn(Schema):
    district_code: str
    kinds: list[str]
    channels: list[str]


class SubscriptionOut(Schema):
    district_code: str
    kinds: list[str]
    channels: list[str]


class CareCloseIn(Schema):
    note: str


class CareAlertOut(Schema):
    id: int
    senior: str
    kind: str
    opened_at: str
    detail: str
    acknowledged: bool
    closed: bool
