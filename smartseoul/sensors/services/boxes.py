"""S-DoT boxes and their datastreams, and the S-DoT file import (both are writes)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from django.db import transaction

from smartseoul.core import clock, geography

from .. import sdot
from ..models import Datastream, HistoricalLocation, Location, ObservedProperty, Sensor, Thing, ThingKind
from ..sdotfile import SdotChunk, iter_chunks
from .ingest import ObservationBatch, observations_ingest

GEOJSON = "application/geo+json"


def observed_property_ensure(*, code: str) -> ObservedProperty:
    q = sdot.BY_CODE[code]
    op = ObservedProperty.objects.filter(code=code).order_by("pk").first()
    if op is None:
        op = ObservedProperty.objects.create(
            name=q.name_en,
            definition=q.definition,
            description=f"{q.name_en} ({q.name_ko})",
            code=code,
            properties={"name_ko": q.name_ko},
        )
    return op


def sensor_ensure(*, model: str) -> Sensor:
    model = model or "S-DoT"
    sensor = Sensor.objects.filter(name=model).order_by("pk").first()
    if sensor is None:
        sensor = Sensor.objects.create(
            name=model,
            description=f"S-DoT urban data sensor box, model {model}",
            encoding_type="http://www.opengis.net/doc/IS/SensorML/2.0",
            metadata="https://data.seoul.go.kr/dataList/OA-15969/S/1/datasetView.do",
            properties={"model": model},
        )
    return sensor


@dataclass
class BoxRegistration:
    created: int = 0
    moved: int = 0
    unchanged: int = 0
    outside_city: list[str] = field(default_factory=list)


@transaction.atomic
def boxes_register(
    *, positions: Sequence[tuple[str, float, float]], model: str = "", owner: Any = None
) -> BoxRegistration:
    """Creates or moves S-DoT boxes (Thing + Location + HistoricalLocation), each placed in its
    district and dong. Boxes outside the city are registered without a district and listed.
    With `owner`, every listed box (new or not) belongs to that gateway account."""
    report = BoxRegistration()
    if not positions:
        return report
    lats = np.array([p[1] for p in positions])
    lons = np.array([p[2] for p in positions])
    districts = geography.locate_many(lats, lons)
    now = clock.now()
    existing = {t.serial: t for t in Thing.objects.filter(serial__in=[p[0] for p in positions])}
    if owner is not None:  # the gateway account that feeds these boxes from now on
        Thing.objects.filter(pk__in=[t.pk for t in existing.values()]).exclude(owner=owner).update(owner=owner)
    for (serial, lat, lon), district in zip(positions, districts, strict=True):
        place = geography.locate(lat, lon) if district else None
        dong = place.neighborhood_code if place and place.district_code == district else ""
        if district is None:
            report.outside_city.append(serial)
        thing = existing.get(serial)
        props = {
            "serial": serial,
            "model": model or (thing.properties or {}).get("model", "") if thing else model,
            "district_code": district or "",
            "dong_code": dong or "",
        }
        if thing is None:
            thing = Thing.objects.create(
                name=f"S-DoT {serial}",
                description="S-DoT urban data sensor box",
                properties=props,
                kind=ThingKind.SDOT_BOX,
                serial=serial,
                district_code=district or "",
                dong_code=dong or "",
                lat=lat,
                lon=lon,
                owner=owner,
                created_at=now,
            )
            report.created += 1
        elif thing.lat == lat and thing.lon == lon:
            report.unchanged += 1
            continue
        else:
            thing.lat, thing.lon = lat, lon
            thing.district_code, thing.dong_code = district or "", dong or ""
            thing.properties = {**(thing.properties or {}), **props}
            thing.save(update_fields=["lat", "lon", "district_code", "dong_code", "properties"])
            report.moved += 1
        loc = Location.objects.create(
            name=f"{serial} site",
            description="Mounting point of the S-DoT box",
            encoding_type=GEOJSON,
            location={"type": "Point", "coordinates": [lon, lat]},
            lat=lat,
            lon=lon,
        )
        thing.locations.set([loc])
        HistoricalLocation.objects.create(thing=thing, time=now).locations.add(loc)
    return report


def _things_for_serials(
    serials: Sequence[str], models: dict[str, str], *, create_missing: bool, owner: Any
) -> dict[str, int]:
    found = {str(s): pk for s, pk in Thing.objects.filter(serial__in=list(serials)).values_list("serial", "pk")}
    missing = [s for s in serials if s not in found]
    if missing and create_missing:
        now = clock.now()
        for s in missing:
            t = Thing.objects.create(
                name=f"S-DoT {s}",
                description="S-DoT urban data sensor box (position not registered yet)",
                properties={"serial": s, "model": models.get(s, "")},
                kind=ThingKind.SDOT_BOX,
                serial=s,
                owner=owner,
                created_at=now,
            )
            found[s] = t.pk
    return found


def datastreams_ensure(
    *, pairs: set[tuple[int, str]], model_of: dict[int, str] | None = None
) -> dict[tuple[int, str], int]:
    """The Datastream of each (Thing, quantity), created on first use."""
    result: dict[tuple[int, str], int] = {}
    thing_ids = {t for t, _ in pairs}
    for pk, thing_id, quantity in Datastream.objects.filter(thing_id__in=thing_ids).values_list(
        "pk", "thing_id", "quantity"
    ):
        if (thing_id, quantity) in pairs:
            result.setdefault((thing_id, quantity), pk)
    missing = sorted(pairs - set(result))
    if missing:
        names = dict(Thing.objects.filter(pk__in={t for t, _ in missing}).values_list("pk", "serial"))
        ops = {code: observed_property_ensure(code=code) for code in {c for _, c in missing}}
        sensors: dict[str, Sensor] = {}
        new = []
        for thing_id, code in missing:
            q = sdot.BY_CODE[code]
            model = (model_of or {}).get(thing_id, "") or "S-DoT"
            if model not in sensors:
                sensors[model] = sensor_ensure(model=model)
            new.append(
                Datastream(
                    name=f"{names.get(thing_id) or thing_id} {q.name_en}",
                    description=f"2-minute {q.name_en}",
                    unit_of_measurement={"name": q.unit_name, "symbol": q.unit_symbol, "definition": q.unit_definition},
                    observation_type=q.observation_type,
                    thing_id=thing_id,
                    sensor=sensors[model],
                    observed_property=ops[code],
                    quantity=code,
                )
            )
        for ds in Datastream.objects.bulk_create(new, batch_size=500):
            result[(ds.thing_id, ds.quantity)] = ds.pk
        if any(ds.pk is None for ds in new):  # backends without RETURNING
            for pk, thing_id, quantity in Datastream.objects.filter(thing_id__in=thing_ids).values_list(
                "pk", "thing_id", "quantity"
            ):
                result.setdefault((thing_id, quantity), pk)
    return result


@dataclass
class SdotImportReport:
    rows: int = 0
    bad_rows: list[tuple[int, str]] = field(default_factory=list)
    observations: int = 0
    refused_values: list[tuple[int, str]] = field(default_factory=list)
    duplicates: int = 0
    boxes_created: int = 0
    header_style: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "bad_rows": len(self.bad_rows),
            "observations": self.observations,
            "refused_values": len(self.refused_values),
            "duplicates": self.duplicates,
            "boxes_created": self.boxes_created,
        }


def chunk_to_batch(
    chunk: SdotChunk, *, decoded: bool, create_missing: bool, owner: Any, report: SdotImportReport
) -> tuple[ObservationBatch, np.ndarray]:
    """Turns parsed rows (one per box and 2 minutes) into observations (one per value).
    Returns the batch and the source line of each observation."""
    serials, inverse = np.unique(chunk.serials, return_inverse=True)
    models = {str(s): str(m) for s, m in zip(chunk.serials, chunk.models, strict=True) if m}
    before = Thing.objects.filter(serial__in=[str(s) for s in serials]).count()
    things = _things_for_serials([str(s) for s in serials], models, create_missing=create_missing, owner=owner)
    report.boxes_created += len(things) - before
    thing_ids = np.array([things.get(str(s), 0) for s in serials], dtype=np.int64)[inverse]
    for i in np.flatnonzero(thing_ids == 0):
        report.bad_rows.append((int(chunk.lines[i]), f"unknown box {chunk.serials[i]}"))
    pairs = {
        (int(t), code)
        for code, vals in chunk.values.items()
        for t in np.unique(thing_ids[(thing_ids > 0) & ~np.isnan(vals)])
    }
    model_of = {things[s]: models.get(s, "") for s in things}
    ds_map = datastreams_ensure(pairs=pairs, model_of=model_of)
    parts_ds, parts_t, parts_v, parts_rt, parts_raw, parts_line = [], [], [], [], [], []
    box_thing = np.array([things.get(str(s), 0) for s in serials], dtype=np.int64)
    for code, raw in chunk.values.items():
        q = sdot.BY_CODE[code]
        present = ~np.isnan(raw) & (thing_ids > 0)
        lo, hi = (q.min, q.max) if decoded else (q.raw_min, q.raw_max)
        out = present & ((raw < lo) | (raw > hi))
        for i in np.flatnonzero(out):
            report.refused_values.append((int(chunk.lines[i]), f"{code} {raw[i]:g} outside {lo:g}–{hi:g}"))
        use = present & ~out
        if not use.any():
            continue
        ds_of_box = np.array([ds_map.get((int(t), code), 0) for t in box_thing], dtype=np.int64)
        parts_ds.append(ds_of_box[inverse[use]])
        parts_t.append(chunk.times_us[use])
        parts_rt.append(chunk.registered_us[use])
        parts_line.append(chunk.lines[use])
        values = raw[use]
        parts_v.append(values if decoded else q.decode(values))
        if not decoded:
            parts_raw.append(values)
    if not parts_ds:
        empty = np.array([], dtype=np.int64)
        return ObservationBatch(empty, empty, np.array([], dtype=np.float64)), empty
    raw_all = np.concatenate(parts_raw) if parts_raw else None
    parameters = None
    if raw_all is not None:
        integral = np.all(raw_all == np.round(raw_all))
        raw_text = pa.array(raw_all.astype(np.int64) if integral else raw_all).cast(pa.string())
        parameters = pc.binary_join_element_wise('{"raw":', raw_text, "}", "")
    return (
        ObservationBatch(
            datastream_id=np.concatenate(parts_ds),
            phenomenon_us=np.concatenate(parts_t),
            result=np.concatenate(parts_v),
            result_time_us=np.concatenate(parts_rt),
            parameters=parameters,
            range_checked=True,
            allow_no_feature=True,
        ),
        np.concatenate(parts_line),
    )


def sdot_file_import(
    *,
    path: Path,
    decoded: bool = False,
    create_missing: bool = True,
    owner: Any = None,
    progress: Callable[[int], None] | None = None,
    chunk_rows: int = 100_000,
) -> SdotImportReport:
    """Imports one S-DoT export. Good rows are stored, bad rows are reported with their line
    numbers; `progress(rows_done)` is called after each chunk."""
    report = SdotImportReport()
    for header, chunk in iter_chunks(path, chunk_rows=chunk_rows):
        report.header_style = header.style
        report.rows += len(chunk) + len(chunk.bad_rows)
        report.bad_rows.extend(chunk.bad_rows)
        batch, lines = chunk_to_batch(chunk, decoded=decoded, create_missing=create_missing, owner=owner, report=report)
        if len(batch):
            result = observations_ingest(batch=batch)
            report.observations += result.accepted
            report.duplicates += result.duplicates
            for i, reason in result.errors.items():
                if not reason.startswith("duplicate"):
                    report.refused_values.append((int(lines[i]), reason))
        if progress is not None:
            progress(report.rows)
    report.bad_rows.sort()
    return report
