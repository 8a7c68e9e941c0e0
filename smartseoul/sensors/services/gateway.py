"""The compact native batch a gateway sends (HTTP or MQTT): many boxes and quantities at once.

JSON: {"encoding": "sdot-raw" | "decoded",
       "observations": [{"thing": "V02Q1940612", "time": "2024-07-01T10:02:00+09:00",
                         "values": {"pm25": 12, "temperature": 1285}}, …]}
CSV:  the S-DoT layout (serial, measurement time and one column per quantity, either header style).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from .. import sdot
from ..errors import BadEntity
from ..models import Thing
from ..sdotfile import NULL_TS, iter_chunks
from ..timeutil import parse_instant, to_us
from .boxes import SdotImportReport, chunk_to_batch, datastreams_ensure
from .ingest import ObservationBatch, observations_ingest

MAX_ROWS = 500_000


def _owned_things(serials: list[str], gateway: Any) -> dict[str, int]:
    """Boxes by serial that this gateway may write to: the ones it owns (all for city
    administrators and for the platform's own imports, `gateway=None`)."""
    qs = Thing.objects.filter(serial__in=serials)
    admin = bool(getattr(gateway, "is_city_admin", False))
    if gateway is not None and not admin:
        qs = qs.filter(owner=gateway)
    return {str(s): pk for s, pk in qs.values_list("serial", "pk")}


def gateway_batch_json(*, payload: Any, gateway: Any) -> dict[str, Any]:
    """Stores a native JSON batch; returns counts and the refused entries with reasons."""
    if not isinstance(payload, dict) or not isinstance(payload.get("observations"), list):
        raise BadEntity('a batch is an object with an "observations" array')
    encoding = payload.get("encoding", "decoded")
    if encoding not in ("decoded", "sdot-raw"):
        raise BadEntity("encoding must be decoded or sdot-raw")
    entries = payload["observations"]
    if len(entries) > MAX_ROWS:
        raise BadEntity(f"at most {MAX_ROWS} entries per batch")
    refused: list[dict[str, Any]] = []
    serials = sorted({str(e.get("thing")) for e in entries if isinstance(e, dict) and e.get("thing") is not None})
    things = _owned_things(serials, gateway)
    rows: list[tuple[int, int, float, int, int]] = []  # (entry, thing, value, time, code index)
    codes = list(sdot.BY_CODE)
    for i, e in enumerate(entries):
        if not isinstance(e, dict) or not isinstance(e.get("values"), dict):
            refused.append({"entry": i, "reason": "each entry needs thing, time and values"})
            continue
        thing = things.get(str(e.get("thing")))
        if thing is None:
            refused.append({"entry": i, "reason": f"unknown box {e.get('thing')!r} (or not this gateway's)"})
            continue
        try:
            t = to_us(parse_instant(e.get("time") or ""))
        except ValueError as exc:
            refused.append({"entry": i, "reason": str(exc)})
            continue
        for code, value in e["values"].items():
            q = sdot.BY_CODE.get(code)
            if q is None or isinstance(value, bool) or not isinstance(value, int | float):
                refused.append({"entry": i, "reason": f"{code}: unknown quantity or not a number"})
                continue
            lo, hi = (q.raw_min, q.raw_max) if encoding == "sdot-raw" else (q.min, q.max)
            if not lo <= value <= hi:
                refused.append({"entry": i, "reason": f"{code} {value} outside {lo:g}–{hi:g}"})
                continue
            rows.append((i, thing, float(value), t, codes.index(code)))
    stored = 0
    if rows:
        arr = np.array([(r[1], r[2], r[3], r[4]) for r in rows], dtype=object)
        thing_ids = arr[:, 0].astype(np.int64)
        values = arr[:, 1].astype(np.float64)
        times = arr[:, 2].astype(np.int64)
        code_idx = arr[:, 3].astype(np.int64)
        ds_map = datastreams_ensure(pairs={(int(t), codes[int(c)]) for t, c in zip(thing_ids, code_idx, strict=True)})
        ds = np.array(
            [ds_map[(int(t), codes[int(c)])] for t, c in zip(thing_ids, code_idx, strict=True)], dtype=np.int64
        )
        decoded = values.copy()
        parameters = None
        if encoding == "sdot-raw":
            for ci in np.unique(code_idx):
                mask = code_idx == ci
                decoded[mask] = sdot.BY_CODE[codes[int(ci)]].decode(values[mask])
            parameters = [json.dumps({"raw": int(v) if float(v).is_integer() else v}) for v in values]
        result = observations_ingest(
            batch=ObservationBatch(
                datastream_id=ds,
                phenomenon_us=times,
                result=decoded,
                parameters=parameters,
                result_time_us=np.full(len(ds), NULL_TS, dtype=np.int64),
                range_checked=True,
            ),
            gateway=gateway,
        )
        stored = result.accepted
        for j, reason in result.errors.items():
            refused.append({"entry": rows[j][0], "reason": reason})
    return {"stored": stored, "refused": len(refused), "errors": refused[:100]}


def gateway_batch_csv(*, content: bytes, gateway: Any, encoding: str = "sdot-raw") -> dict[str, Any]:
    """Stores a CSV batch in the S-DoT layout (boxes must be registered and owned by the gateway)."""
    if encoding not in ("decoded", "sdot-raw"):
        raise BadEntity("encoding must be decoded or sdot-raw")
    report = SdotImportReport()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "batch.csv"
        path.write_bytes(content)
        for _header, chunk in iter_chunks(path):
            report.rows += len(chunk) + len(chunk.bad_rows)
            report.bad_rows.extend(chunk.bad_rows)
            owned = _owned_things(sorted(set(chunk.serials.tolist())), gateway)
            keep = np.array([s in owned for s in chunk.serials.tolist()], dtype=bool)
            for i in np.flatnonzero(~keep):
                report.bad_rows.append((int(chunk.lines[i]), f"unknown box {chunk.serials[i]} (or not this gateway's)"))
            if keep.any() and not keep.all():
                chunk.lines, chunk.serials, chunk.models = chunk.lines[keep], chunk.serials[keep], chunk.models[keep]
                chunk.times_us, chunk.registered_us = chunk.times_us[keep], chunk.registered_us[keep]
                chunk.values = {k: v[keep] for k, v in chunk.values.items()}
            elif not keep.any():
                continue
            batch, lines = chunk_to_batch(
                chunk, decoded=encoding == "decoded", create_missing=False, owner=gateway, report=report
            )
            if len(batch):
                result = observations_ingest(batch=batch, gateway=gateway)
                report.observations += result.accepted
                report.duplicates += result.duplicates
                for row, reason in result.errors.items():
                    report.refused_values.append((int(lines[row]), reason))
    return {
        "stored": report.observations,
        "rows": report.rows,
        "duplicates": report.duplicates,
        "bad_rows": [{"line": ln, "reason": r} for ln, r in sorted(report.bad_rows)[:100]],
        "refused_values": [{"line": ln, "reason": r} for ln, r in report.refused_values[:100]],
    }
