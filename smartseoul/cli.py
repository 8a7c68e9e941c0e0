"""The `smartseoul` command: serve, demo, import-boundaries, createofficial, check, and the
commands modules register (ledger, sensors, analytics …). Django management commands are
reachable through `smartseoul manage …`.

Bad input prints one clear line and exits 2; nothing stored is changed by a failed command.
"""

from __future__ import annotations

import argparse
import copy
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console

from smartseoul.core.errors import CommandError

console = Console(stderr=False)
err = Console(stderr=True)

GRACEFUL_STOP_SECONDS = 30  # how long requests in flight may take to finish after SIGTERM


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartseoul.settings")
    import django

    django.setup()


def _shown_host(host: str) -> str:
    return "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104  (a bind address, not a bind)


def _default_site_url(host: str, port: int) -> None:
    """Outside production, links in messages (SITE_URL) follow the address served, unless set:
    `make run PORT=8001` must not send people to port 8000. The task worker inherits it."""
    from django.conf import settings

    if settings.PRODUCTION or os.environ.get("SITE_URL"):
        return
    settings.SITE_URL = os.environ["SITE_URL"] = f"http://{_shown_host(host)}:{port}"


def _access_log_config() -> dict[str, Any]:
    """The server's log configuration: access lines pass the personal-data filter (API keys and
    tokens can appear in paths)."""
    from granian.log import LOGGING_CONFIG

    config: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {"personal_data": {"()": "smartseoul.core.logging.PersonalDataFilter"}}
    for handler in config["handlers"].values():
        handler["filters"] = ["personal_data"]
    return config


def _ensure_collected_static() -> None:
    """Pages link content-hashed static files; a data directory that never ran `collectstatic`
    (`make serve` without `make migrate`) gets it once here."""
    from django.conf import settings
    from django.core.management import call_command

    if settings.SERVE_STATIC and not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        console.print("Collecting static files (smartseoul manage collectstatic)…")
        call_command("collectstatic", interactive=False, verbosity=0)


def cmd_serve(args: argparse.Namespace) -> int:
    """The production server: granian's WSGI interface, pre-forked workers with a few threads
    each, persistent database connections; the task worker, the scheduler and the ballot
    sequencer (for ballots whose request died before its batch) run beside it. SIGTERM
    (or Ctrl-C) stops accepting, lets requests in flight finish, then stops the helpers."""
    from functools import partial

    from granian import Granian
    from granian.constants import Interfaces
    from granian.log import LogLevels

    from smartseoul.core.checks import production_problems
    from smartseoul.core.db import close_before_fork
    from smartseoul.lib.process import SERVER_PID, die_with_parent

    problems = production_problems()
    if problems:
        for p in problems:
            err.print(f"[red]✗[/red] {p}")
        err.print("Refusing to start in production without these settings (see .env.example).")
        return 2
    _default_site_url(args.host, args.port)
    _ensure_collected_static()
    helpers: list[subprocess.Popen[bytes]] = []
    if not args.no_worker:
        for cmd in (["manage", "db_worker", "--interval", "1", "--no-reload"], ["scheduler"], ["ledger", "sequencer"]):
            helpers.append(subprocess.Popen(  # noqa: S603  (this interpreter with fixed arguments)
                [sys.executable, "-m", "smartseoul.cli", *cmd], preexec_fn=partial(die_with_parent, os.getpid())
            ))
    print_demo_sign_in(args.host, args.port)  # development only: the last thing `make run` shows
    console.print(
        f"[bold]Smart Seoul[/bold] on http://{args.host}:{args.port}  "
        f"(workers: {args.workers} × threads: {args.threads})"
    )
    from django.conf import settings

    server = Granian(
        "smartseoul.wsgi:application",
        address=args.host,
        port=args.port,
        interface=Interfaces.WSGI,
        workers=args.workers,
        blocking_threads=args.threads,
        backlog=2048,
        log_level=LogLevels.info,
        log_dictconfig=_access_log_config(),
        log_access=settings.ACCESS_LOG,
        respawn_failed_workers=True,
        workers_kill_timeout=GRACEFUL_STOP_SECONDS,
    )
    close_before_fork()  # the workers fork from this process
    os.environ[SERVER_PID] = str(os.getpid())  # its workers die with it (smartseoul/wsgi.py)
    try:
        server.serve()
    finally:
        for h in helpers:
            h.terminate()
        for h in helpers:
            try:
                h.wait(timeout=GRACEFUL_STOP_SECONDS)
            except subprocess.TimeoutExpired:
                h.kill()
    return 0


def _migrate_if_needed() -> bool:
    """Applies pending migrations (a fresh data directory has none applied); True when it did."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if not executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return False
    console.print("The database is not set up yet: applying the migrations first (smartseoul manage migrate)…")
    call_command("migrate", interactive=False, verbosity=0)
    return True


def print_demo_sign_in(host: str, port: int) -> None:
    """The demo accounts, their roles in words, what to try and where to sign in, in Korean and
    English. Prints nothing in production or when the database holds no demo accounts."""
    from django.conf import settings
    from django.db import DatabaseError
    from django.utils import translation
    from rich.table import Table

    from smartseoul.accounts.selectors import demo_sign_in

    if settings.PRODUCTION:
        return
    try:
        guides = {}
        for lang in ("ko", "en"):
            with translation.override(lang):
                guides[lang] = demo_sign_in()
    except DatabaseError:  # not migrated yet: nothing to show
        return
    ko, en = guides["ko"], guides["en"]
    if ko is None or en is None:
        return
    shown_host = _shown_host(host)
    login = f"http://{shown_host}:{port}/accounts/login/"
    table = Table(title="데모 계정 · Demo accounts", title_justify="left", show_lines=True)
    table.add_column("계정\nAccount", style="bold", no_wrap=True)
    table.add_column("역할\nRole", overflow="fold")
    table.add_column("해볼 것\nWhat to try", overflow="fold")
    for k, e in zip(ko.accounts, en.accounts, strict=True):
        second = "\n(2단계 인증 · two-factor)" if k.official else ""
        table.add_row(k.username, f"{k.role}\n{e.role}{second}", f"{k.try_}\n{e.try_}\n→ {k.start}")
    console.print()
    console.print(table)
    console.print(f"로그인 · Sign in: [bold]{login}[/bold]", soft_wrap=True)
    if ko.password is None:
        console.print(
            f"비밀번호 · Password: {ko.password_env}에 설정한 값 · the value you set in {ko.password_env}",
            soft_wrap=True,
        )
    else:
        console.print(
            f"비밀번호 · Password: [bold]{ko.password}[/bold]  (기본값 · the default; "
            f"{ko.password_env}로 바꿀 수 있습니다 · set {ko.password_env} to choose another)",
            soft_wrap=True,
        )
    console.print(
        "공무원 계정은 처음 로그인할 때 인증 앱을 연결합니다 (QR 코드) · "
        "Officials set up an authenticator app (QR code) at their first sign-in.",
        soft_wrap=True,
    )
    console.print(
        f"개발용 문자함 · Development outbox (SMS codes): http://{shown_host}:{port}/dev/outbox/", soft_wrap=True
    )


def cmd_demo(args: argparse.Namespace) -> int:
    from rich.progress import Progress

    from smartseoul.core.demo import load_core_demo, official_boundaries_dir
    from smartseoul.core.i18n import compile_translations
    from smartseoul.core.models import Neighborhood
    from smartseoul.core.registry import manifests

    _migrate_if_needed()
    compile_translations()
    with Progress(console=console) as progress:
        mods = [m for m in manifests() if m.demo is not None]
        task = progress.add_task("Seoul demo", total=len(mods) + 1)
        counts = load_core_demo(official=official_boundaries_dir())
        progress.advance(task)
        for m in mods:
            progress.update(task, description=f"Seoul demo: {m.name}")
            assert m.demo is not None  # noqa: S101  (narrows the type: only modules with a demo are listed)
            m.demo()
            progress.advance(task)
    console.print(
        f"Demo loaded: {counts['districts']} districts, {counts['neighborhoods']} neighbourhoods, "
        f"{counts['departments']} departments added (0 means already present)."
    )
    if "official_source" in counts:
        console.print(
            f"Official boundaries (JUSO 2015: 25 gu, {Neighborhood.objects.count()} legal dongs) from "
            f"{counts['official_source']}: places are filed under their real district and dong."
        )
    else:
        console.print(
            "Approximate district and dong shapes (no ../shared/data/seoul-boundaries beside the checkout); "
            "load real ones with `smartseoul import-boundaries FILE --level gu|dong`."
        )
    from smartseoul.core.scheduler import run_daily_if_due

    with console.status("Today's housekeeping (escalations, reminders, exports), so the first serve starts idle…"):
        run_daily_if_due()
    print_demo_sign_in(args.host, args.port)
    return 0


def cmd_import_boundaries(args: argparse.Namespace) -> int:
    from smartseoul.core.services import boundaries_import, read_boundary_file

    path = Path(args.file)
    features = read_boundary_file(
        path, code_field=args.code_field, name_field=args.name_field, name_en_field=args.name_en_field
    )
    with console.status(f"Importing {len(features)} {args.level} boundaries…"):
        result = boundaries_import(features=features, level=args.level)
    console.print(
        f"[green]✓[/green] {args.level}: {result['created']} created, {result['updated']} updated from {path}"
    )
    return 0


def cmd_createofficial(args: argparse.Namespace) -> int:
    import getpass

    from django.db import transaction

    from smartseoul.accounts.models import Role
    from smartseoul.accounts.services import user_register
    from smartseoul.core.models import Department

    password = os.environ.get("SMARTSEOUL_OFFICIAL_PASSWORD") or getpass.getpass("Password: ")
    dept = None
    if args.department:
        dept = Department.objects.filter(code=args.department).first()
        if dept is None:
            raise CommandError(f"no department with code {args.department!r}")
    if args.role not in {r.value for r in Role} or args.role == Role.CITIZEN:
        raise CommandError(f"role must be one of official, district_admin, city_admin, auditor (got {args.role!r})")
    with transaction.atomic():  # no half-made official: a citizen-like account without staff rights
        user = user_register(username=args.username, password=password, email=args.email or "", role=args.role)
        user.department = dept
        user.is_staff = True
        user.is_superuser = args.role == Role.CITY_ADMIN
        user.save(update_fields=["department", "is_staff", "is_superuser"])
    console.print(f"[green]✓[/green] {user.username} ({args.role}). Two-factor set-up happens at first sign-in.")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from django.conf import settings

    from smartseoul.core.checks import production_problems

    problems = production_problems()
    console.print(
        f"environment: {settings.ENVIRONMENT}; database: {settings.DATABASES['default']['ENGINE']}; "
        f"data dir: {settings.DATA_DIR}"
    )
    if not settings.PRODUCTION:
        console.print(
            "[yellow]Not a production start (SMARTSEOUL_ENV is not 'production'): development defaults apply.[/yellow]"
        )
    if problems:
        for p in problems:
            console.print(f"[red]✗[/red] {p}")
        return 1
    console.print("[green]✓[/green] ready")
    return 0


def cmd_scheduler(args: argparse.Namespace) -> int:
    from smartseoul.core.scheduler import run_forever

    console.print("scheduler running (periodic jobs and daily housekeeping); Ctrl+C stops it")
    run_forever()
    return 0


def cmd_daily(args: argparse.Namespace) -> int:
    from datetime import date

    from smartseoul.core import clock
    from smartseoul.core.scheduler import run_daily

    try:
        day = date.fromisoformat(args.date) if args.date else clock.today_local().date()
    except ValueError as exc:
        raise CommandError(f"--date must be YYYY-MM-DD (got {args.date!r})") from exc
    outcome = run_daily(day)
    for module, result in outcome.items():
        console.print(f"{module}: {result}")
    return 0 if all(r == "ok" for r in outcome.values()) else 1


def cmd_compile_translations(args: argparse.Namespace) -> int:
    from smartseoul.core.i18n import compile_translations

    console.print(f"translations compiled: {compile_translations()}")
    return 0


def cmd_manage(args: argparse.Namespace) -> int:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["smartseoul", *args.rest])
    return 0


def build_parser() -> argparse.ArgumentParser:
    from smartseoul.core.registry import commands

    parser = argparse.ArgumentParser(prog="smartseoul", description="Smart Seoul Platform")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("serve", help="serve the platform (granian, WSGI) with a task worker and scheduler")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=int(os.environ.get("SMARTSEOUL_WORKERS") or (os.cpu_count() or 1)),
                   help="server processes (default: one per CPU)")
    p.add_argument("--threads", type=int, default=int(os.environ.get("SMARTSEOUL_THREADS") or 2),
                   help="threads per process for requests that wait on the database (default 2)")
    p.add_argument("--no-worker", action="store_true", help="do not start the background task worker")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("demo", help="load the Seoul demo (idempotent; migrates a new database first)")
    p.add_argument("--host", default="127.0.0.1", help="the address `serve` will use (for the sign-in link shown)")
    p.add_argument("--port", type=int, default=8000, help="the port `serve` will use (for the sign-in link shown)")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("import-boundaries", help="load official district (gu) or neighbourhood (dong) boundaries")
    p.add_argument("file", help="GeoJSON FeatureCollection or TopoJSON file")
    p.add_argument("--level", choices=["gu", "dong"], required=True)
    p.add_argument("--code-field")
    p.add_argument("--name-field")
    p.add_argument("--name-en-field")
    p.set_defaults(func=cmd_import_boundaries)

    p = sub.add_parser(
        "createofficial", help="create an official account (password from SMARTSEOUL_OFFICIAL_PASSWORD or a prompt)"
    )
    p.add_argument("username")
    p.add_argument("--role", default="official")
    p.add_argument("--department")
    p.add_argument("--email")
    p.set_defaults(func=cmd_createofficial)

    p = sub.add_parser("check", help="say what a production start is missing")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("scheduler", help="run periodic jobs and the daily housekeeping in a loop")
    p.set_defaults(func=cmd_scheduler)

    p = sub.add_parser("daily", help="run every module's daily housekeeping once")
    p.add_argument("--date", help="the day to run for (YYYY-MM-DD); default today")
    p.set_defaults(func=cmd_daily)

    p = sub.add_parser("compile-translations", help="compile the Korean/English message catalogues (.po → .mo)")
    p.set_defaults(func=cmd_compile_translations)

    p = sub.add_parser("manage", help="run a Django management command (migrate, db_worker, …)")
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_manage)

    groups: dict[str, argparse._SubParsersAction] = {}  # type: ignore[type-arg]
    for c in commands():
        if c.group:
            if c.group not in groups:
                gp = sub.add_parser(c.group, help=f"{c.group} commands")
                groups[c.group] = gp.add_subparsers(dest=f"{c.group}_command", required=True)
            cp = groups[c.group].add_parser(c.name, help=c.help)
        else:
            cp = sub.add_parser(c.name, help=c.help)
        c.add_arguments(cp)
        cp.set_defaults(func=lambda a, _h=c.handler: _h(a))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    _setup_django()
    from smartseoul.core.errors import DomainError

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code = int(args.func(args) or 0)
    except DomainError as exc:
        message = exc.message
        err.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
        return 2
    except KeyboardInterrupt:
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
