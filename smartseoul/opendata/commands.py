"""`smartseoul opendata …` commands: bulk document import (with a progress bar) and the export refresh."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from smartseoul.core.errors import CommandError
from smartseoul.core.registry import Command

console = Console()


def _import_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "csv",
        help="CSV of document metadata (UTF-8 or CP949): number, title, doc_type, "
        "department_code, produced_on, disclosure, legal_ground, body, attachments",
    )
    p.add_argument("--files", help="folder holding the attachments named in the CSV")
    p.add_argument("--publish", action="store_true", help="publish documents that pass the personal-data check")
    p.add_argument("--as", dest="username", help="the official doing the import (audited; needed with --publish)")


def import_documents(args: argparse.Namespace) -> int:
    from smartseoul.accounts.selectors import user_by_username

    from . import services

    csv_path = Path(args.csv)
    if not csv_path.is_file():
        raise CommandError(f"No such file: {csv_path}")
    files = Path(args.files) if args.files else None
    if files is not None and not files.is_dir():
        raise CommandError(f"No such folder: {files}")
    actor = None
    if args.username:
        actor = user_by_username(args.username)
        if actor is None or not actor.is_official:
            raise CommandError(f"{args.username} is not an official.")
    if args.publish and actor is None:
        raise CommandError("--publish needs --as <official>.")
    with Progress(
        TextColumn("[bold]documents"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=console
    ) as progress:
        task = progress.add_task("import", total=None)

        def tick(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        summary = services.documents_import(
            actor=actor, csv_path=csv_path, files_dir=files, publish=args.publish, progress=tick
        )
    console.print(
        f"created {summary.created} of {summary.total}; published {summary.published}; "
        f"blocked by personal data {summary.blocked}; rejected {len(summary.errors)}"
    )
    for err in summary.errors[:50]:
        detail = "; ".join(f"{k}: {', '.join(v)}" for k, v in err["errors"].items())
        console.print(f"  line {err['line']}: {detail}")
    return 0 if not summary.errors else 1


def _no_args(p: argparse.ArgumentParser) -> None:
    return None


def refresh_exports(args: argparse.Namespace) -> int:
    from . import services

    summary = services.exports_refresh_all()
    console.print(f"refreshed {len(summary.refreshed)} export(s)")
    for key, error in summary.failed.items():
        console.print(f"  failed {key}: {error}")
    return 0 if not summary.failed else 1


COMMANDS = (
    Command(
        "import-documents",
        "bulk-import administrative documents (CSV + files) with a progress bar",
        _import_args,
        import_documents,
        group="opendata",
    ),
    Command(
        "refresh-exports", "publish every module's open-data export now", _no_args, refresh_exports, group="opendata"
    ),
)
