"""Synthetic data for demos and benchmarks: night travel demand and commercial districts.

Trips are drawn on the city grid directly (cells, not coordinates): origins from nightlife hot
spots and, less, from where people live; destinations by a gravity model (district population
of the destination cell, decaying with distance); hours and weekdays with a late-night profile.
Nothing here is real data; every figure is generated from a seed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl

from smartseoul.lib.hexgrid import haversine_m

# Late-night hot spots (lat, lon, relative strength): where Seoul's night trips start.
HOT_SPOTS: tuple[tuple[str, float, float, float], ...] = (
    ("Hongdae", 37.5572, 126.9245, 1.0),
    ("Gangnam Station", 37.4979, 127.0276, 1.0),
    ("Jongno", 37.5702, 126.9831, 0.8),
    ("Itaewon", 37.5345, 126.9946, 0.6),
    ("Konkuk Univ.", 37.5404, 127.0696, 0.6),
    ("Sillim", 37.4842, 126.9297, 0.6),
    ("Yeongdeungpo", 37.5157, 126.9076, 0.6),
    ("Sinchon", 37.5551, 126.9368, 0.5),
    ("Dongdaemun Market", 37.5663, 127.0092, 0.5),
    ("Jamsil", 37.5133, 127.1001, 0.4),
    ("Seoul Station", 37.5547, 126.9707, 0.4),
    ("Sadang", 37.4766, 126.9816, 0.4),
)

# Share of a day's trips starting in each local hour: a late-night call/taxi profile.
HOUR_PROFILE = np.array([10, 8, 6, 4, 3, 1.5, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1.5, 2, 2.5, 3, 4, 5, 7, 9],
                        dtype=np.float64)
# Relative demand by weekday of the date (0 = Monday): Friday and Saturday nights are busiest.
WEEKDAY_PROFILE = np.array([0.85, 0.9, 0.95, 1.0, 1.3, 1.45, 0.9], dtype=np.float64)
HOT_SIGMA_M = 700.0
GRAVITY_DECAY_M = 7_000.0


@dataclass(frozen=True)
class CellWeights:
    lats: np.ndarray
    lons: np.ndarray
    cells: np.ndarray  # int64
    residents: np.ndarray  # people living in each cell (district population spread over its cells)


def cell_weights(lats: np.ndarray, lons: np.ndarray, cells: np.ndarray, districts: Sequence[str],
                 population: dict[str, int]) -> CellWeights:
    codes = np.asarray(districts)
    residents = np.zeros(len(codes))
    for code in set(districts):
        mask = codes == code
        residents[mask] = population.get(code, 0) / max(int(mask.sum()), 1)
    if residents.sum() <= 0:
        residents[:] = 1.0
    return CellWeights(lats, lons, cells, residents)


def _night_origins(w: CellWeights) -> np.ndarray:
    hot = np.zeros(w.lats.size)
    for _, la, lo, strength in HOT_SPOTS:
        d = haversine_m(la, lo, w.lats, w.lons)
        hot += strength * np.exp(-0.5 * (d / HOT_SIGMA_M) ** 2)
    p = 0.8 * hot / hot.sum() + 0.2 * w.residents / w.residents.sum() if hot.sum() > 0 else w.residents.copy()
    return p / p.sum()


def synth_trips(
    w: CellWeights, rows: int, *, end: date, days: int = 28, seed: int = 1, chunk_rows: int = 2_000_000,
    night_only: bool = False, tz: str = "Asia/Seoul", source: str = "synthetic",
    on_chunk: Callable[[int], None] | None = None,
) -> Iterator[pl.DataFrame]:
    """Yields frames of trips (lake columns plus `date`), `chunk_rows` at a time."""
    rng = np.random.default_rng(seed)
    n_cells = w.lats.size
    p_origin = _night_origins(w)
    # gravity: destinations by residents, decaying with distance (a dense n × n table: ~1,200² floats)
    dist = haversine_m(w.lats[:, None], w.lons[:, None], w.lats[None, :], w.lons[None, :])
    attract = w.residents[None, :] * np.exp(-dist / GRAVITY_DECAY_M)
    np.fill_diagonal(attract, attract.diagonal() * 0.05)
    cum = np.cumsum(attract, axis=1)
    cum /= cum[:, -1:]
    dates = [end - timedelta(days=i) for i in range(days, 0, -1)]
    day_w = np.array([WEEKDAY_PROFILE[d.weekday()] for d in dates])
    hours = HOUR_PROFILE.copy()
    if night_only:
        hours[5:] = 0
    p_hour = hours / hours.sum()
    p_day = day_w / day_w.sum()
    zone = ZoneInfo(tz)
    day_epoch = np.array([int(datetime(d.year, d.month, d.day, tzinfo=zone).timestamp()) for d in dates],
                         dtype=np.int64)
    day_dow = np.array([d.weekday() for d in dates], dtype=np.int8)
    day_str = np.array([d.isoformat() for d in dates])
    done = 0
    while done < rows:
        n = min(chunk_rows, rows - done)
        origin = rng.choice(n_cells, size=n, p=p_origin)
        u = rng.random(n)
        dest = np.empty(n, dtype=np.int64)
        order = np.argsort(origin, kind="stable")
        bounds = np.searchsorted(origin[order], np.arange(n_cells + 1))
        for o in range(n_cells):
            a, b = bounds[o], bounds[o + 1]
            if a < b:
                idx = order[a:b]
                dest[idx] = np.minimum(np.searchsorted(cum[o], u[idx]), n_cells - 1)
        swap = rng.random(n) < 0.2  # some trips go the other way (home → night spot, night workers)
        origin, dest = np.where(swap, dest, origin), np.where(swap, origin, dest)
        day = rng.choice(len(dates), size=n, p=p_day)
        hour = rng.choice(24, size=n, p=p_hour).astype(np.int8)
        seconds = day_epoch[day] + hour.astype(np.int64) * 3600 + rng.integers(0, 3600, size=n)
        frame = pl.DataFrame({
            "ts": pl.Series(seconds * 1_000_000, dtype=pl.Int64).cast(pl.Datetime("us", "UTC")),
            "hour": hour,
            "dow": day_dow[day],
            "origin_cell": w.cells[origin],
            "dest_cell": w.cells[dest],
            "weight": np.ones(n),
            "date": pl.Series(day_str[day]).str.to_date(),
        }).with_columns(pl.lit(source, dtype=pl.Utf8).alias("source"))
        done += n
        if on_chunk is not None:
            on_chunk(done)
        yield frame


# --- commercial districts ----------------------------------------------------------------------

CATEGORIES: tuple[tuple[str, str, str, float, float], ...] = (
    # key, Korean, English, stores per 10,000 residents, yearly closure hazard
    ("korean_food", "한식음식점", "Korean restaurant", 30.0, 0.16),
    ("cafe", "커피-음료", "Café", 14.0, 0.19),
    ("chicken", "치킨전문점", "Fried chicken", 6.0, 0.21),
    ("convenience", "편의점", "Convenience store", 5.0, 0.11),
    ("hair", "미용실", "Hair salon", 10.0, 0.12),
    ("academy", "일반교습학원", "Private academy", 8.0, 0.13),
    ("clothing", "일반의류", "Clothing", 9.0, 0.18),
    ("pub", "호프-간이주점", "Pub", 7.0, 0.22),
    ("snack", "분식전문점", "Snack bar", 5.0, 0.2),
    ("pharmacy", "의약품", "Pharmacy", 3.0, 0.06),
)
CATEGORY_KEYS = tuple(c[0] for c in CATEGORIES)


def synth_commerce(
    areas: Sequence[tuple[str, float, float, int]], *, reference: date, seed: int = 7, years: int = 8,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Stores (with opening and closing dates) and quarterly sales per area × category.

    `areas`: (area code, lat, lon, residents). Each area gets its own risk factor, so some
    areas are safe and some crowded with closures; sales trends follow store growth."""
    rng = np.random.default_rng(seed)
    stores: dict[str, list] = {k: [] for k in ("store_id", "area_code", "category", "lat", "lon", "opened_on",
                                                "closed_on")}
    sales: dict[str, list] = {k: [] for k in ("area_code", "category", "quarter", "sales")}
    start = reference - timedelta(days=365 * years)
    sid = 0
    for code, lat, lon, residents in areas:
        area_risk = rng.lognormal(0, 0.35)
        area_trend = rng.normal(0.0, 0.08)
        for key, _ko, _en, density, hazard in CATEGORIES:
            expected = max(residents, 2_000) / 10_000 * density * rng.lognormal(0, 0.4) * years / 4
            n = int(rng.poisson(expected))
            h = hazard * area_risk * rng.lognormal(0, 0.2)
            for _ in range(n):
                sid += 1
                opened = start + timedelta(days=int(rng.integers(0, 365 * years)))
                life = rng.exponential(365 / max(h, 1e-3))
                closed = opened + timedelta(days=int(life))
                stores["store_id"].append(f"S{sid:07d}")
                stores["area_code"].append(code)
                stores["category"].append(key)
                stores["lat"].append(round(lat + rng.normal(0, 0.004), 6))
                stores["lon"].append(round(lon + rng.normal(0, 0.005), 6))
                stores["opened_on"].append(opened)
                stores["closed_on"].append(closed if closed <= reference else None)
            base = expected * 45_000_000 * rng.lognormal(0, 0.3)
            trend = area_trend + rng.normal(0, 0.05) - (h - hazard) * 0.5
            for q in range(8):
                qd = reference - timedelta(days=91 * (8 - q))
                label = f"{qd.year}Q{(qd.month - 1) // 3 + 1}"
                sales["area_code"].append(code)
                sales["category"].append(key)
                sales["quarter"].append(label)
                sales["sales"].append(float(round(base * (1 + trend) ** (q / 4) * rng.lognormal(0, 0.04))))
    store_frame = pl.DataFrame(stores, schema={"store_id": pl.Utf8, "area_code": pl.Utf8, "category": pl.Utf8,
                                               "lat": pl.Float64, "lon": pl.Float64, "opened_on": pl.Date,
                                               "closed_on": pl.Date})
    sales_frame = pl.DataFrame(sales, schema={"area_code": pl.Utf8, "category": pl.Utf8, "quarter": pl.Utf8,
                                              "sales": pl.Float64})
    return store_frame, sales_frame.unique(["area_code", "category", "quarter"], keep="last", maintain_order=True)
