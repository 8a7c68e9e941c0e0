from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from ninja import Field, Path, Schema
from ninja.pagination import LimitOffsetPagination


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


# --- errors and paging: the same for every module's API -----------------------------------------------


class ErrorBody(Schema):
    code: str = Field(description="A stable code, e.g. `not_found` or a module's own (`vote_closed`).")
    message: str
    details: Any = None


class ErrorOut(Schema):
    """Every refusal of /api/v1: `{"error": {"code", "message", "details"?}}`."""

    error: ErrorBody


PAGE_LIMIT_DEFAULT = 50
PAGE_LIMIT_MAX = 200
PAGE_OFFSET_MAX = 1_000_000_000  # far past any table; within every database's integer range
ROW_ID_MAX = 2**63 - 1  # the largest primary key a 64-bit integer column holds


class Page(Schema):
    """The one pagination of every list operation: `limit` rows (1 to 200) from `offset` (0 up to a
    billion). Out of range is refused with 422 and the error envelope, never clamped silently."""

    limit: int = Field(PAGE_LIMIT_DEFAULT, ge=1, le=PAGE_LIMIT_MAX, description="Rows per page (1 to 200).")
    offset: int = Field(0, ge=0, le=PAGE_OFFSET_MAX, description="Rows to skip.")

    def window(self, rows: Any) -> Any:
        """This page of a QuerySet or a list."""
        return rows[self.offset : self.offset + self.limit]


class PagePagination(LimitOffsetPagination):
    """django-ninja's `{"items", "count"}` pagination, reading `Page`."""

    class Input(Page):
        pass

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=PAGE_LIMIT_MAX, **kwargs)


# A path parameter naming a row: 1 up to the largest 64-bit key, so no lookup overflows the database.
RowId = Annotated[int, Path(ge=1, le=ROW_ID_MAX)]
