"""Parameters of each job kind, validated before a job is queued (a bad request never queues)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from smartseoul.lib.routing import PlanningError, PlanParams

from .errors import AnalyticsErrorCode, AnalyticsInvalid, PlanningRefused
from .models import JobKind


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Window(_Base):
    start_hour: int = Field(0, ge=0, le=23)
    end_hour: int = Field(5, ge=1, le=24)
    weekdays: list[int] | None = Field(None, description="0 = Monday … 6 = Sunday; empty: every day")
    date_from: date | None = None
    date_to: date | None = None
    resolution: int = Field(8, ge=6, le=10)

    @model_validator(mode="after")
    def _check(self) -> Window:
        if self.start_hour == self.end_hour:
            raise ValueError("the time window is empty: start and end hour are the same")
        if self.weekdays is not None and any(not (0 <= d <= 6) for d in self.weekdays):
            raise ValueError("weekdays are 0 (Monday) to 6 (Sunday)")
        if self.weekdays is not None and not self.weekdays:
            self.weekdays = None
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("date_from is after date_to")
        return self


class ODParams(Window):
    top: int = Field(300, ge=1, le=5_000)


class RoutePlanParams(Window):
    routes: int = Field(5, description="number of routes")
    max_length_km: float = Field(25.0, description="maximum one-way route length")
    stop_spacing_m: float = 500.0
    alternatives: int = 3
    top_pairs: int = 300
    buses: int = 40
    bus_capacity: int = 50
    speed_kmh: float = 30.0
    method: Literal["auto", "greedy", "exact"] = "auto"
    catchment_rings: int = Field(1, description="rings of neighbouring cells whose riders walk to the route")

    def planner(self) -> PlanParams:
        return PlanParams(
            routes=self.routes, max_length_m=self.max_length_km * 1000, stop_spacing_m=self.stop_spacing_m,
            alternatives=self.alternatives, top_pairs=self.top_pairs, buses=self.buses,
            bus_capacity=self.bus_capacity, speed_kmh=self.speed_kmh, method=self.method,
            catchment_rings=self.catchment_rings,
        )


class SitingParams(Window):
    k: int = Field(5, ge=1, le=200, description="number of sites")
    radius_m: float = Field(1000.0, gt=0, le=20_000, description="coverage distance")
    demand: Literal["night_destinations", "night_origins", "residents"] = "night_destinations"
    district_code: str | None = Field(None, description="only candidate sites in this district")
    method: Literal["auto", "greedy", "exact"] = "auto"


class DensityParams(Window):
    start_hour: int = Field(0, ge=0, le=23)
    end_hour: int = Field(24, ge=1, le=24)
    dataset: str = Field("trips", pattern=r"^[a-z0-9_\-]{1,60}$")
    end: Literal["origin", "dest"] = "origin"
    lat_column: str = "lat"
    lon_column: str = "lon"
    time_column: str | None = "ts"


class SynthParams(_Base):
    rows: int = Field(200_000, ge=1_000, le=5_000_000)
    days: int = Field(28, ge=1, le=366)
    seed: int = Field(1, ge=0)
    night_only: bool = False


class CommerceParams(_Base):
    reference_date: date | None = None


PARAMS: dict[str, type[_Base]] = {
    JobKind.OD: ODParams, JobKind.PLAN: RoutePlanParams, JobKind.SITING: SitingParams,
    JobKind.DENSITY: DensityParams, JobKind.SYNTH: SynthParams, JobKind.COMMERCE: CommerceParams,
}


def parse(kind: str, raw: dict[str, Any]) -> Any:
    """Validated parameters of a job kind; raises a clear 400 (planner constraints included)."""
    model = PARAMS.get(kind)
    if model is None:
        raise AnalyticsInvalid(f"Unknown job kind {kind!r}.", code=AnalyticsErrorCode.BAD_PARAMS)
    try:
        parsed = model.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'params'}: {e['msg']}" for e in exc.errors())
        raise AnalyticsInvalid(f"Bad parameters: {problems}", code=AnalyticsErrorCode.BAD_PARAMS,
                               errors=[{"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
                                       for e in exc.errors()]) from exc
    if isinstance(parsed, RoutePlanParams):
        try:
            parsed.planner().validate()
        except PlanningError as exc:
            raise PlanningRefused(exc.message, code=exc.code) from exc
    return parsed
