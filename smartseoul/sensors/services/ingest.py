"""Observation ingestion: sandbox stage (validate, decode, drop duplicates, de-identify — in
memory only) → source stage (append-only Parquet) + each datastream's latest value.

Every path (SensorThings POST and dataArray, the native gateway batch, MQTT, S-DoT files)
builds an `ObservationBatch` and calls `observations_ingest`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
import pyarrow as pa
from django.db import connection, transaction

from smartseoul.accounts.services import identity_hash
from smartseoul.core import clock

from .. import lake, sdot
from ..models import Datastream, FeatureOfInterest, IdSequence, Location, Thing, ThingKind
from ..timeutil import from_us, to_us

NULL_TS = np.iinfo(np.int64).min
#: why a home device's observation with another feature of interest is refused
HOME_FEATURE = (
    "a home device's observations keep the coarse area of its Location as their FeatureOfInterest "
    "(any other feature could be public and place the home)"
)
#: parameter keys that may identify a person; their values are replaced by a keyed hash
PERSONAL_KEYS = frozenset(
    {
        "mac",
        "mac_address",
        "phone",
        "name",
        "address",
        "device_owner",
        "imei",
        "email",
        "resident_id",
        "plate",
        "car_number",
    }
)


@dataclass
class ObservationBatch:
    """Column-oriented observations. Timestamps are µs since the epoch (UTC); NULL_TS = none."""

    datastream_id: np.ndarray
    phenomenon_us: np.ndarray
    result: np.ndarray  # float64, NaN when the result is not a number
    result_text: list[str | None] | None = None
    phenomenon_end_us: np.ndarray | None = None
    result_time_us: np.ndarray | None = None
    foi_id: np.ndarray | None = None  # 0 = derive from the Thing's Location
    result_quality: list[str | None] | None = None
    valid_start_us: np.ndarray | None = None
    valid_end_us: np.ndarray | None = None
    parameters: list[str | None] | pa.Array | None = None
    preset_errors: dict[int, str] = field(default_factory=dict)  # rows refused while parsing
    range_checked: bool = False  # S-DoT raw ranges already applied
    allow_no_feature: bool = False  # S-DoT files may name boxes whose position is not registered yet

    def __len__(self) -> int:
        return len(self.datastream_id)


@dataclass
class IngestResult:
    ids: np.ndarray  # the new observation id per input row; 0 for a refused row
    errors: dict[int, str]
    duplicates: int = 0

    @property
    def accepted(self) -> int:
        return int((self.ids > 0).sum())


# --- helpers for callers that build batches ------------------------------------------------------


def result_parts(value: Any) -> tuple[float, str | None]:
    """(numeric value or NaN, exact JSON text when the number alone would not reproduce it)."""
    if isinstance(value, bool) or value is None:
        return float("nan"), json.dumps(value)
    if isinstance(value, int):
        if abs(value) < 2**53:
            return float(value), None
        return float(value), str(value)
    if isinstance(value, Decimal):
        f = float(value)
        text = str(value)
        canonical = str(int(f)) if f.is_integer() and abs(f) < 2**53 else repr(f)
        return f, (None if canonical == text else text)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("result must be a finite number")
        canonical_int = value.is_integer() and abs(value) < 2**53
        return value, (repr(value) if canonical_int else None)
    from ..sta.render import dumps

    return float("nan"), dumps(value)


def _personal(key: Any) -> bool:
    return re.sub(r"[^a-z0-9]+", "_", str(key).lower()).strip("_") in PERSONAL_KEYS


def _scrub(value: Any) -> Any:
    """`value` with every personal identifier, at any depth, replaced by a keyed hash."""
    from ..sta.render import dumps

    if isinstance(value, Mapping):
        out = {}
        for k, v in value.items():
            if _personal(k) and v not in (None, ""):
                key = re.sub(r"[^a-z0-9]+", "_", str(k).lower()).strip("_")
                text = v if isinstance(v, str) else dumps(v)
                out[k] = identity_hash("sensors", key, text)[:16]
            else:
                out[k] = _scrub(v)
        return out
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    return value


def deidentify_parameters(params: Mapping[str, Any] | None) -> str | None:
    """Parameters without personal identifiers: such values (under a key such as `mac`, `phone`
    or `Car-Number`, at any depth) become keyed hashes, the same for the same value."""
    if not params:
        return None
    if not isinstance(params, Mapping):
        raise ValueError("parameters must be a JSON object")
    from ..sta.render import dumps

    return dumps(_scrub(params))


# --- ids -------------------------------------------------------------------------------------------


def _allocate_ids(n: int) -> int:
    """The first of `n` consecutive new observation ids."""
    with transaction.atomic():
        seq, _ = IdSequence.objects.select_for_update().get_or_create(name="observation")
        first = seq.next_value
        seq.next_value = first + n
        seq.save(update_fields=["next_value"])
    return first


# --- features of interest ------------------------------------------------------------------------


def _feature_for_location(location: Location) -> int:
    foi = FeatureOfInterest.objects.filter(location=location).values_list("pk", flat=True).first()
    if foi is not None:
        return foi
    return FeatureOfInterest.objects.create(
        name=location.name,
        description=location.description,
        encoding_type="application/geo+json",
        feature=location.location,
        properties=None,
        location=location,
        lat=location.lat,
        lon=location.lon,
    ).pk


def _own_features(thing_ids: set[int]) -> dict[int, set[int]]:
    """{thing id: the FeaturesOfInterest made from its Locations}."""
    out: dict[int, set[int]] = {}
    for thing_id, foi in FeatureOfInterest.objects.filter(location__things__in=thing_ids).values_list(
        "location__things", "pk"
    ):
        if thing_id in thing_ids:
            out.setdefault(int(thing_id), set()).add(int(foi))
    return out


def _features_for_things(thing_ids: Iterable[int]) -> dict[int, int | None]:
    """The FeatureOfInterest of each Thing's current Location (created once per Location)."""
    result: dict[int, int | None] = {}
    latest: dict[int, int] = {}
    for thing_id, loc_id in Location.things.through.objects.filter(thing_id__in=list(thing_ids)).values_list(
        "thing_id", "location_id"
    ):
        latest[thing_id] = max(loc_id, latest.get(thing_id, 0))
    existing = dict(FeatureOfInterest.objects.filter(location_id__in=latest.values()).values_list("location_id", "pk"))
    missing = [loc for loc in set(latest.values()) if loc not in existing]
    for location in Location.objects.filter(pk__in=missing):
        existing[location.pk] = _feature_for_location(location)
    for thing_id in thing_ids:
        current = latest.get(thing_id)
        result[thing_id] = existing.get(current) if current is not None else None
    return result


# --- the pipeline ----------------------------------------------------------------------------------


def _existing_keys(ds_ids: np.ndarray, times: np.ndarray) -> set[tuple[int, int]]:
    days = sorted({lake.day_from_number(int(d)) for d in np.unique(lake.kst_day_numbers(times))})
    paths = lake.files(lake.OBSERVATIONS, days)
    if not paths:
        return set()
    con = lake.connect()
    con.register("want", pa.table({"ds": pa.array(np.unique(ds_ids))}))
    rows = con.execute(
        f"SELECT datastream_id, epoch_us(phenomenon_time) FROM {lake.scan_sql(paths)} "  # noqa: S608  (lake paths quoted by the platform, ids from its own queries, values bound)
        "WHERE datastream_id IN (SELECT ds FROM want)"
    ).fetchall()
    return {(int(a), int(b)) for a, b in rows}


def observations_ingest(*, batch: ObservationBatch, gateway: Any = None) -> IngestResult:
    """Validates a batch and appends the accepted rows to the lake; refused rows get a reason.

    `gateway` is the user of the gateway key: a gateway writes only to Things it owns (the city's
    unowned boxes are fed by its imports and administrators); city administrators write anywhere;
    `None` is the platform itself (imports, the MQTT worker behind the broker's ACL). Returns new
    ids per row.
    """
    n = len(batch)
    ids = np.zeros(n, dtype=np.int64)
    errors: dict[int, str] = dict(batch.preset_errors)
    ok = np.ones(n, dtype=bool)
    for i in errors:
        ok[i] = False
    if n == 0:
        return IngestResult(ids, errors)
    ds_ids = batch.datastream_id.astype(np.int64)
    uniq, inv = np.unique(ds_ids, return_inverse=True)
    info = {
        row["pk"]: row
        for row in Datastream.objects.filter(pk__in=[int(x) for x in uniq]).values(
            "pk",
            "thing_id",
            "quantity",
            "thing__district_code",
            "thing__dong_code",
            "thing__owner_id",
            "thing__kind",
            "latest_phenomenon_time",
        )
    }
    admin = bool(getattr(gateway, "is_city_admin", False))
    rows_u = [info.get(int(d)) for d in uniq]
    known_u = np.array([r is not None for r in rows_u], dtype=bool)
    _refuse(ok, errors, ~known_u[inv], "Datastream not found")
    if gateway is not None and not admin:
        allowed_u = np.array([r is None or r["thing__owner_id"] == gateway.pk for r in rows_u], dtype=bool)
        _refuse(ok, errors, ~allowed_u[inv], "this gateway may not write to that Datastream")
    # ranges per quantity
    if not batch.range_checked:
        quantities = sorted({r["quantity"] for r in rows_u if r is not None})
        q_index_u = np.array([quantities.index(r["quantity"]) if r is not None else -1 for r in rows_u])
        q_rows = q_index_u[inv]
        for qi, code in enumerate(quantities):
            q = sdot.BY_CODE.get(code)
            if q is None or q.observation_type == sdot.OM_TRUTH:
                continue
            mask = (q_rows == qi) & ok
            vals = batch.result[mask]
            with np.errstate(invalid="ignore"):
                bad = np.isnan(vals) | (vals < q.min) | (vals > q.max)
            if bad.any():
                idx = np.flatnonzero(mask)[bad]
                ok[idx] = False
                for i in idx:
                    errors[int(i)] = f"result out of range for {q.code} ({q.min:g} to {q.max:g} {q.unit_symbol})"
    # duplicates in the batch (same datastream and phenomenon time): keep the first
    duplicates = 0
    cand = np.flatnonzero(ok)
    if len(cand):
        order = np.lexsort((batch.phenomenon_us[cand], inv[cand]))  # stable: input order within equal keys
        sorted_ds, sorted_t = inv[cand][order], batch.phenomenon_us[cand][order]
        same = np.zeros(len(cand), dtype=bool)
        same[1:] = (sorted_ds[1:] == sorted_ds[:-1]) & (sorted_t[1:] == sorted_t[:-1])
        if same.any():
            dup = cand[order[same]]
            duplicates += len(dup)
            for i in dup:
                ok[i] = False
                errors[int(i)] = "duplicate observation (same Datastream and phenomenonTime)"
    # duplicates of stored rows: only rows not newer than the datastream's latest can be
    latest_u = np.array(
        [to_us(r["latest_phenomenon_time"]) if r and r["latest_phenomenon_time"] else NULL_TS for r in rows_u],
        dtype=np.int64,
    )
    late = ok & (batch.phenomenon_us <= latest_u[inv])
    if late.any():
        stored = _existing_keys(ds_ids[late], batch.phenomenon_us[late])
        for j in np.flatnonzero(late):
            if (int(ds_ids[j]), int(batch.phenomenon_us[j])) in stored:
                ok[j] = False
                duplicates += 1
                errors[int(j)] = "duplicate observation (already stored)"
    # features of interest
    foi = batch.foi_id.astype(np.int64) if batch.foi_id is not None else np.zeros(n, dtype=np.int64)
    need = ok & (foi == 0)
    if need.any():
        by_thing = _features_for_things({r["thing_id"] for r in rows_u if r is not None})
        foi_u = np.array([(by_thing.get(r["thing_id"]) or 0) if r else 0 for r in rows_u], dtype=np.int64)
        missing = need & (foi_u[inv] == 0)
        if not batch.allow_no_feature:
            _refuse(ok, errors, missing, "no FeatureOfInterest given and the Thing has no Location")
        foi[need] = foi_u[inv[need]]
    given = ok & (foi > 0) & ~need
    if given.any():
        wanted = {int(x) for x in np.unique(foi[given])}
        known = set(FeatureOfInterest.objects.filter(pk__in=wanted).values_list("pk", flat=True))
        for f in wanted - known:
            _refuse(ok, errors, given & (foi == f), "FeatureOfInterest not found")
    home_u = np.array([r is not None and r["thing__kind"] == ThingKind.HOME_DEVICE for r in rows_u], dtype=bool)
    home_given = ok & given & home_u[inv]
    if home_given.any():
        own = _own_features({int(rows_u[k]["thing_id"]) for k in np.unique(inv[home_given])})
        for j in np.flatnonzero(home_given):
            if int(foi[j]) not in own.get(int(rows_u[inv[j]]["thing_id"]), set()):
                _refuse(ok, errors, np.arange(n) == j, HOME_FEATURE)
    accepted = np.flatnonzero(ok)
    if len(accepted) == 0:
        return IngestResult(ids, errors, duplicates)
    first_id = _allocate_ids(len(accepted))
    new_ids = np.arange(first_id, first_id + len(accepted), dtype=np.int64)
    ids[accepted] = new_ids
    table = _to_arrow(batch, accepted, new_ids, foi, info)
    now_us = to_us(clock.now())
    table = table.append_column("ingested_at", pa.array(np.full(len(accepted), now_us), type=pa.int64()).cast(lake.TS))
    with transaction.atomic():
        lake.append(lake.OBSERVATIONS, table)
        _update_latest(batch, accepted, new_ids, ds_ids, info)
    return IngestResult(ids, errors, duplicates)


def _refuse(ok: np.ndarray, errors: dict[int, str], mask: np.ndarray, reason: str) -> None:
    for i in np.flatnonzero(mask & ok):
        errors[int(i)] = reason
    ok[mask] = False


def _ts(values: np.ndarray | None, idx: np.ndarray) -> pa.Array:
    if values is None:
        return pa.nulls(len(idx), type=lake.TS)
    v = values[idx]
    return pa.array(v, type=pa.int64(), mask=(v == NULL_TS)).cast(lake.TS)


def _strings(values: Sequence[str | None] | pa.Array | None, idx: np.ndarray) -> pa.Array:
    if values is None:
        return pa.nulls(len(idx), type=pa.string())
    if isinstance(values, pa.Array):
        return values.take(pa.array(idx))
    return pa.array([values[i] for i in idx], type=pa.string())


def _to_arrow(
    batch: ObservationBatch,
    idx: np.ndarray,
    new_ids: np.ndarray,
    foi: np.ndarray,
    info: Mapping[int, Mapping[str, Any]],
) -> pa.Table:
    ds = batch.datastream_id[idx].astype(np.int64)
    uniq, inverse = np.unique(ds, return_inverse=True)
    thing = np.array([info[int(d)]["thing_id"] for d in uniq], dtype=np.int64)[inverse]

    def dict_col(key: str) -> pa.Array:
        labels = [info[int(d)][key] or "" for d in uniq]
        return pa.DictionaryArray.from_arrays(pa.array(inverse.astype(np.int32)), pa.array(labels)).cast(pa.string())

    result = batch.result[idx]
    return pa.table(
        {
            "id": pa.array(new_ids),
            "datastream_id": pa.array(ds),
            "thing_id": pa.array(thing),
            "foi_id": pa.array(foi[idx]),
            "quantity": dict_col("quantity"),
            "district_code": dict_col("thing__district_code"),
            "dong_code": dict_col("thing__dong_code"),
            "phenomenon_time": pa.array(batch.phenomenon_us[idx], type=pa.int64()).cast(lake.TS),
            "phenomenon_end": _ts(batch.phenomenon_end_us, idx),
            "result_time": _ts(batch.result_time_us, idx),
            "result": pa.array(result, mask=np.isnan(result)),
            "result_text": _strings(batch.result_text, idx),
            "result_quality": _strings(batch.result_quality, idx),
            "valid_start": _ts(batch.valid_start_us, idx),
            "valid_end": _ts(batch.valid_end_us, idx),
            "parameters": _strings(batch.parameters, idx),
        }
    )


def _update_latest(
    batch: ObservationBatch,
    idx: np.ndarray,
    new_ids: np.ndarray,
    ds_ids: np.ndarray,
    info: Mapping[int, Mapping[str, Any]],
) -> None:
    ds = ds_ids[idx]
    times = batch.phenomenon_us[idx]
    ends = batch.phenomenon_end_us[idx] if batch.phenomenon_end_us is not None else None
    rtimes = batch.result_time_us[idx] if batch.result_time_us is not None else None
    order = np.lexsort((times, ds))
    ds_sorted = ds[order]
    boundaries = np.flatnonzero(np.diff(ds_sorted)) + 1
    starts = np.concatenate([[0], boundaries])
    stops = np.concatenate([boundaries, [len(ds_sorted)]])
    objs = Datastream.objects.in_bulk([int(ds_sorted[s]) for s in starts])
    changed = []
    for s, e in zip(starts, stops, strict=True):
        d = objs[int(ds_sorted[s])]
        first_pos, last_pos = order[s], order[e - 1]
        t_min, t_max = int(times[first_pos]), int(times[last_pos])
        if ends is not None:
            seg = ends[order[s:e]]
            seg = seg[seg != NULL_TS]
            if len(seg):
                t_max = max(t_max, int(seg.max()))
        start_dt, end_dt = from_us(t_min), from_us(t_max)
        d.phenomenon_start = min(d.phenomenon_start, start_dt) if d.phenomenon_start else start_dt
        d.phenomenon_end = max(d.phenomenon_end, end_dt) if d.phenomenon_end else end_dt
        if rtimes is not None:
            seg = rtimes[order[s:e]]
            seg = seg[seg != NULL_TS]
            if len(seg):
                rs, re_ = from_us(int(seg.min())), from_us(int(seg.max()))
                d.result_time_start = min(d.result_time_start, rs) if d.result_time_start else rs
                d.result_time_end = max(d.result_time_end, re_) if d.result_time_end else re_
        latest_t = from_us(int(times[last_pos]))
        if d.latest_phenomenon_time is None or latest_t >= d.latest_phenomenon_time:
            row = int(idx[last_pos])
            d.latest_phenomenon_time = latest_t
            d.latest_observation_id = int(new_ids[last_pos])
            value = float(batch.result[row])
            d.latest_result = None if np.isnan(value) else value
            d.latest_result_text = batch.result_text[row] if batch.result_text is not None else None
            d.latest_result_time = (
                from_us(int(rtimes[last_pos])) if rtimes is not None and rtimes[last_pos] != NULL_TS else None
            )
        changed.append(d)
    _save_latest(changed)


def _save_latest(changed: list[Datastream]) -> None:
    """One UPDATE per datastream through executemany (bulk_update's CASE expressions are far
    slower for thousands of rows)."""
    if not changed:
        return
    table = connection.ops.quote_name(Datastream._meta.db_table)
    columns = [
        "phenomenon_start",
        "phenomenon_end",
        "result_time_start",
        "result_time_end",
        "latest_phenomenon_time",
        "latest_observation_id",
        "latest_result",
        "latest_result_text",
        "latest_result_time",
    ]
    sets = ", ".join(f"{connection.ops.quote_name(c)} = %s" for c in columns)
    fields = {f.name: f for f in Datastream._meta.concrete_fields}
    rows = [[fields[c].get_db_prep_value(getattr(d, c), connection) for c in columns] + [d.pk] for d in changed]
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {sets} WHERE id = %s", rows)  # noqa: S608  (lake paths quoted by the platform, ids from its own queries, values bound)


def lake_days_with_data() -> list[date]:
    return lake.partition_days(lake.OBSERVATIONS)


def things_of_kind(kind: ThingKind) -> list[int]:
    return list(Thing.objects.filter(kind=kind).values_list("pk", flat=True))
