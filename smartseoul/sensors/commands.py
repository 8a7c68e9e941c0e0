"""`smartseoul sensors …` commands: thin wrappers that parse arguments, call one service, print."""

from __future__ import annotations

import argparse
from functools import partial
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from smartseoul.core.errors import CommandError
from smartseoul.core.registry import Command

console = Console()
MAX_LISTED = 20


def _import_sdot_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="+", help="S-DoT export files (CSV; UTF-8 or CP949; either header style)")
    p.add_argument("--positions", help="box position list (시리얼,위도,경도) to register before importing")
    p.add_argument("--decoded", action="store_true", help="values are already decoded (not the raw S-DoT integers)")
    p.add_argument("--no-create", action="store_true", help="refuse rows of boxes that are not registered yet")


def _import_sdot(args: Any) -> int:
    from .errors import BadEntity
    from .sdotfile import read_positions
    from .services.boxes import boxes_register, sdot_file_import

    if args.positions:
        positions = read_positions(Path(args.positions))
        with console.status(f"Registering {len(positions)} boxes…"):
            reg = boxes_register(positions=positions)
        console.print(
            f"[green]✓[/green] boxes: {reg.created} new, {reg.moved} moved, {reg.unchanged} unchanged"
            + (f"; outside the city: {', '.join(reg.outside_city[:10])}" if reg.outside_city else "")
        )
    status = 0
    for name in args.files:
        path = Path(name)
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as progress:
            total = _count_lines(path)
            task = progress.add_task(f"{path.name}", total=total)
            try:
                report = sdot_file_import(
                    path=path,
                    decoded=args.decoded,
                    create_missing=not args.no_create,
                    progress=partial(_advance, progress, task),
                )
            except BadEntity as exc:
                raise CommandError(f"{path}: {exc.message}") from exc
        console.print(
            f"[green]✓[/green] {path.name} ({report.header_style} headers): {report.rows} rows, "
            f"{report.observations} observations stored, {len(report.bad_rows)} bad rows, "
            f"{len(report.refused_values)} values refused, {report.duplicates} duplicates skipped, "
            f"{report.boxes_created} new boxes"
        )
        for line, reason in report.bad_rows[:MAX_LISTED]:
            console.print(f"  [red]line {line}[/red]: {reason}")
        if len(report.bad_rows) > MAX_LISTED:
            console.print(f"  … and {len(report.bad_rows) - MAX_LISTED} more bad rows")
        for line, reason in report.refused_values[:MAX_LISTED]:
            console.print(f"  [yellow]line {line}[/yellow]: {reason}")
        if report.observations == 0 and (report.bad_rows or report.refused_values):
            status = 1
    return status


def _advance(progress: Progress, task: Any, rows: int) -> None:
    progress.update(task, completed=rows)


def _count_lines(path: Path) -> int:
    with path.open("rb") as fh:
        return max(0, sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b"")) - 1)


def _import_boxes_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="box position list (시리얼,위도,경도 = serial, latitude, longitude)")
    p.add_argument("--model", default="", help="box model name")
    p.add_argument("--owner", help="user name of the gateway account that feeds these boxes")


def _user(username: str) -> Any:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"no account {username!r}")
    return user


def _import_boxes(args: Any) -> int:
    from .sdotfile import read_positions
    from .services.boxes import boxes_register

    positions = read_positions(Path(args.file))
    owner = _user(args.owner) if args.owner else None
    with console.status(f"Registering {len(positions)} boxes…"):
        reg = boxes_register(positions=positions, model=args.model, owner=owner)
    console.print(
        f"[green]✓[/green] {reg.created} new, {reg.moved} moved, {reg.unchanged} unchanged; "
        f"{len(reg.outside_city)} outside the city"
    )
    return 0


def _mqtt_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--url", help="broker URL (default: settings.MQTT_URL)")
    p.add_argument("--client-id", default="smartseoul-sensors", help="persistent session id")
    p.add_argument("--batch-size", type=int, default=5000)
    p.add_argument("--batch-seconds", type=float, default=1.0)


def _mqtt(args: Any) -> int:
    from .mqtt import MqttWorker, broker_url

    worker = MqttWorker(
        url=args.url or broker_url(),
        client_id=args.client_id,
        batch_size=args.batch_size,
        batch_seconds=args.batch_seconds,
        log=console.print,
    )
    worker.run_forever()
    return 0


def _broker_login_args(p: argparse.ArgumentParser) -> None:
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--thing", type=int, help="id of the device (Thing) that logs in")
    who.add_argument("--serial", help="serial of the device that logs in")
    who.add_argument("--gateway", help="user name of the gateway account that logs in")
    who.add_argument("--revoke", metavar="LOGIN", help="revoke this login (rewrite the broker files after)")
    p.add_argument("--name", default="", help="login name (default device-<id> or gateway-<id>)")


def _broker_login(args: Any) -> int:
    from .models import Thing
    from .services.broker import broker_login_create, broker_login_revoke

    if args.revoke:
        broker_login_revoke(name=args.revoke)
        console.print(f"[green]✓[/green] {args.revoke} revoked; run `smartseoul sensors broker-files` next")
        return 0
    if args.gateway:
        login, password = broker_login_create(gateway=_user(args.gateway), name=args.name)
    else:
        thing = Thing.objects.filter(**({"pk": args.thing} if args.thing else {"serial": args.serial})).first()
        if thing is None:
            raise CommandError("no such device")
        login, password = broker_login_create(thing=thing, name=args.name)
    console.print(f"login: {login.username}\npassword: {password}\n(shown once; run `smartseoul sensors broker-files`)")
    return 0


def _broker_files_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--password-file", required=True, help="mosquitto password_file to write")
    p.add_argument("--acl-file", required=True, help="mosquitto acl_file to write")
    p.add_argument("--url", help="the worker's broker URL with its login (default: settings.MQTT_URL)")


def _broker_files(args: Any) -> int:
    from .mqtt import broker_url
    from .services.broker import broker_files_write

    files = broker_files_write(
        password_file=Path(args.password_file), acl_file=Path(args.acl_file), worker_url=args.url or broker_url()
    )
    console.print(
        f"[green]✓[/green] {files.logins} logins written to {args.password_file} and {args.acl_file}; "
        "reload the broker (SIGHUP) to apply"
    )
    return 0


def _aggregate_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--date", action="append", help="local date YYYY-MM-DD (repeatable; default: today and yesterday)")


def _aggregate(args: Any) -> int:
    from datetime import date, timedelta

    from smartseoul.core import clock

    from .services.derive import derive_day

    days = (
        [date.fromisoformat(d) for d in args.date]
        if args.date
        else [clock.today_local().date() - timedelta(days=1), clock.today_local().date()]
    )
    for d in days:
        with console.status(f"Aggregating {d}…"):
            result = derive_day(day=d)
        console.print(
            f"[green]✓[/green] {d}: {result['observations']} observations → "
            f"{result['district_hours']} district-hours, {result['alerts']} new alert episodes"
        )
    return 0


def _facilities_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="CSV (id,kind,name,address,lat,lon,capacity,hours) or GeoJSON FeatureCollection")
    p.add_argument("--kind", choices=["cooling_shelter", "indoor"], help="kind for rows that do not say")


def _facilities(args: Any) -> int:
    from .services.alerts import facilities_import

    result = facilities_import(path=Path(args.file), default_kind=args.kind or "")
    console.print(f"[green]✓[/green] {result['created']} new, {result['updated']} updated facilities")
    return 0


COMMANDS = (
    Command("import-sdot", "import S-DoT export files into the lake", _import_sdot_args, _import_sdot, group="sensors"),
    Command(
        "import-boxes", "register S-DoT boxes from a position list", _import_boxes_args, _import_boxes, group="sensors"
    ),
    Command(
        "mqtt",
        "run the MQTT ingestion worker (SensorThings topics and gateway batches)",
        _mqtt_args,
        _mqtt,
        group="sensors",
    ),
    Command(
        "broker-login",
        "create (or revoke) a device's or gateway's MQTT broker login",
        _broker_login_args,
        _broker_login,
        group="sensors",
    ),
    Command(
        "broker-files",
        "write the MQTT broker's password and ACL files from the logins",
        _broker_files_args,
        _broker_files,
        group="sensors",
    ),
    Command(
        "aggregate",
        "derive hourly/daily aggregates, indices and alerts for given days",
        _aggregate_args,
        _aggregate,
        group="sensors",
    ),
    Command(
        "import-facilities",
        "import cooling shelters and indoor places (CSV or GeoJSON)",
        _facilities_args,
        _facilities,
        group="sensors",
    ),
)
