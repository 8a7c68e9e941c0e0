"""`smartseoul analytics …` commands: import and generate trips, build the grid, run jobs, print
the portable SQL for another engine. Bad input: one line, exit status 2, nothing stored."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from smartseoul.core.errors import CommandError
from smartseoul.core.registry import Command

console = Console()


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=console)


# --- import-trips ------------------------------------------------------------------------------


def _import_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="+", type=Path, help="CSV or Parquet files of trips")
    for name, what in (("origin-lat", "origin latitude"), ("origin-lon", "origin longitude"),
                       ("dest-lat", "destination latitude"), ("dest-lon", "destination longitude"),
                       ("origin-cell", "origin H3 cell"), ("dest-cell", "destination H3 cell"),
                       ("time", "departure time"), ("weight", "trips per row (default 1)")):
        p.add_argument(f"--{name}", metavar="COLUMN", help=f"column holding the {what}")
    p.add_argument("--time-format", help="strftime format of the time column (default: ISO 8601 or epoch seconds)")
    p.add_argument("--timezone", default="Asia/Seoul", help="time zone of times without an offset")
    p.add_argument("--resolution", type=int, default=8, help="H3 resolution of the lake (default 8)")
    p.add_argument("--bad-rows", type=Path, help="write every reported bad row (line, reason) to this CSV")


def _import(args: argparse.Namespace) -> int:
    from . import ingest, services

    mapping = ingest.Mapping(
        origin_lat=args.origin_lat, origin_lon=args.origin_lon, dest_lat=args.dest_lat, dest_lon=args.dest_lon,
        origin_cell=args.origin_cell, dest_cell=args.dest_cell, time=args.time, weight=args.weight,
        time_format=args.time_format, timezone=args.timezone,
    )
    status = 0
    all_bad: list[dict[str, Any]] = []
    for path in args.files:
        with _progress() as progress:
            task = progress.add_task(f"{path.name}", total=None)

            def advance(done: int, total: int, _t: Any = task, _p: Progress = progress) -> None:
                _p.update(_t, completed=done, total=total)

            record = services.trips_import(path=path, mapping=mapping, resolution=args.resolution,
                                           on_progress=advance)
        console.print(f"[green]✓[/green] {path.name}: {record.rows_good:,} trips imported, "
                      f"{record.rows_bad:,} bad rows ({record.first_date} … {record.last_date})")
        if record.rows_bad:
            status = 1
            table = Table("line", "reason", title=f"bad rows in {path.name} (first {min(len(record.bad_rows), 20)})")
            for row in record.bad_rows[:20]:
                table.add_row(str(row["line"]), row["reason"])
            console.print(table)
            console.print("by reason: " + ", ".join(f"{k} {v:,}" for k, v in sorted(record.bad_reasons.items())))
            all_bad += [{"file": path.name, **row} for row in record.bad_rows]
    if args.bad_rows and all_bad:
        import csv

        from smartseoul.lib import spreadsheet

        with args.bad_rows.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=["file", "line", "reason"])
            writer.writeheader()
            writer.writerows({k: spreadsheet.cell(v) for k, v in row.items()} for row in all_bad)
        console.print(f"bad-row report: {args.bad_rows}")
    return status


# --- synth-trips -------------------------------------------------------------------------------


def _synth_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--rows", type=int, required=True, help="number of trips to generate")
    p.add_argument("--days", type=int, default=28, help="days back from today (default 28)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--night-only", action="store_true", help="only trips between 00:00 and 05:00")


def _synth(args: argparse.Namespace) -> int:
    from . import services

    if args.rows < 1:
        raise CommandError("--rows must be at least 1")
    with _progress() as progress:
        task = progress.add_task("synthetic trips", total=args.rows)
        record = services.trips_synthesise(
            rows=args.rows, days=args.days, seed=args.seed, night_only=args.night_only,
            on_progress=lambda done, total: progress.update(task, completed=done),
        )
    console.print(f"[green]✓[/green] {record.rows_good:,} synthetic trips, {record.first_date} … {record.last_date}")
    return 0


# --- build-grid, run, sql, import-commerce, upload-routes ---------------------------------------


def _grid_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--resolution", type=int, default=8)


def _grid(args: argparse.Namespace) -> int:
    from . import services

    if not (5 <= args.resolution <= 10):
        raise CommandError("--resolution must be between 5 and 10")
    with console.status("Building the grid…"):
        n = services.grid_build(resolution=args.resolution)
    console.print(f"[green]✓[/green] {n:,} cells at resolution {args.resolution}")
    return 0


def _run_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("kind", choices=["od", "plan", "siting", "density", "commerce"])
    p.add_argument("--params", default="{}", help='JSON parameters, e.g. \'{"routes": 10}\'')
    p.add_argument("--geojson", type=Path, help="write the result map to this file")


def _run(args: argparse.Namespace) -> int:
    from . import services

    try:
        params = json.loads(args.params)
    except json.JSONDecodeError as exc:
        raise CommandError(f"--params is not JSON: {exc}") from exc
    job = services.job_create(kind=args.kind, params=params, actor=None, title=f"command line {args.kind}")
    job = services.job_run(job_id=job.pk)
    if job.state != "done":
        raise CommandError(f"job {job.pk} {job.state}: {job.error_message or job.message}")
    console.print_json(data=job.result)
    if args.geojson and job.geojson is not None:
        args.geojson.write_text(json.dumps(job.geojson, ensure_ascii=False), encoding="utf-8")
        console.print(f"map: {args.geojson}")
    return 0


def _sql_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dialect", default="spark", choices=["duckdb", "spark", "trino", "postgres"])
    p.add_argument("--start-hour", type=int, default=0)
    p.add_argument("--end-hour", type=int, default=5)


def _sql(args: argparse.Namespace) -> int:
    from . import portable

    try:
        portable.od_by_hour(start_hour=args.start_hour, end_hour=args.end_hour)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    return 0


def _commerce_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("stores", type=Path, nargs="?", help="stores CSV/Parquet: store_id, category, lat, lon, opened_on, "
                                                        "closed_on")
    p.add_argument("--sales", type=Path, help="quarterly sales CSV: area_code, category, quarter, sales")
    p.add_argument("--synthetic", action="store_true", help="generate demo data instead of reading files")


def _commerce(args: argparse.Namespace) -> int:
    from . import services

    if args.synthetic:
        result = services.commerce_synthesise()
    elif args.stores:
        result = services.commerce_import(stores_path=args.stores, sales_path=args.sales)
    else:
        raise CommandError("give a stores file or --synthetic")
    console.print("[green]✓[/green] " + ", ".join(f"{k}: {v:,}" for k, v in result.items()))
    return 0


def _routes_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", type=Path, help="GeoJSON FeatureCollection of LineStrings with a 'name' property")


def _routes(args: argparse.Namespace) -> int:
    from . import services

    try:
        data = json.loads(args.file.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise CommandError(f"{args.file}: {exc}") from exc
    routes = services.existing_routes_upload(geojson=data, actor=None)
    console.print(f"[green]✓[/green] {len(routes)} routes stored")
    return 0


COMMANDS = (
    Command("import-trips", "import trip/call records (CSV or Parquet) into the lake", _import_args, _import,
            group="analytics"),
    Command("synth-trips", "generate realistic synthetic night demand", _synth_args, _synth, group="analytics"),
    Command("build-grid", "(re)build the H3 grid over the city's boundaries", _grid_args, _grid, group="analytics"),
    Command("run", "run an analysis now and print its result", _run_args, _run, group="analytics"),
    Command("sql", "print the OD aggregation as SQL for another engine", _sql_args, _sql, group="analytics"),
    Command("import-commerce", "import store openings/closings and sales (or --synthetic)", _commerce_args,
            _commerce, group="analytics"),
    Command("upload-routes", "store the city's existing bus routes for comparison", _routes_args, _routes,
            group="analytics"),
)
