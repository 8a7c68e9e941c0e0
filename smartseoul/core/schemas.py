from __future__ import annotations

from datetime import datetime

from ninja import Schema


class DistrictOut(Schema):
    code: str
    name_ko: str
    name_en: str
    centroid_lat: float
    centroid_lon: float


class PlaceOut(Schema):
    district_code: str
    district_name_ko: str
    district_name_en: str
    neighborhood_code: str | None
    neighborhood_name_ko: str | None
    distance_m: float


class NotificationOut(Schema):
    id: int
    kind: str
    subject: str
    body: str
    link: str
    created_at: datetime
    read_at: datetime | None
