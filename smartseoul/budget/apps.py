from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from smartseoul.core.registry import (
    Command,
    ExportField,
    LayerQuery,
    MapLayer,
    ModuleManifest,
    OpenDataExport,
    Tile,
    Widget,
    WidgetQuery,
)


def _phase_widget(query: WidgetQuery) -> dict[str, Any]:
    from .selectors import widget_phase

    return widget_phase()


def _votes_widget(query: WidgetQuery) -> dict[str, Any]:
    from .selectors import widget_votes_so_far

    return widget_votes_so_far()


def _projects_layer(query: LayerQuery) -> dict[str, Any]:
    from .selectors import current_cycle, projects_geojson

    cycle = current_cycle()
    if cycle is None:
        return {"type": "FeatureCollection", "features": []}
    return projects_geojson(cycle, funded_only=query.filters.get("funded") == "1")


def _export_rows() -> Any:
    from .selectors import export_rows

    return export_rows()


def _cmd_export_args(parser: Any) -> None:
    parser.add_argument("envelope", type=int, help="envelope id")
    parser.add_argument("--out", help="file to write (default: standard output)")


def _cmd_export(args: Any) -> int:
    from pathlib import Path

    from .selectors import envelope_get, pabulib_export

    text = pabulib_export(envelope_get(args.envelope))
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    else:
        print(text, end="")  # noqa: T201  (the command's output)
    return 0


def _cmd_import_args(parser: Any) -> None:
    parser.add_argument("cycle", help="cycle slug")
    parser.add_argument("file", help="a Pabulib .pb file")
    parser.add_argument("--admin", required=True, help="user name of the city administrator doing the import")


def _cmd_import(args: Any) -> int:
    from pathlib import Path

    from smartseoul.accounts.selectors import user_by_username
    from smartseoul.core.errors import CommandError

    from .selectors import cycle_by_slug
    from .services import pabulib_import

    user = user_by_username(args.admin)
    if user is None:
        raise CommandError(f"No user {args.admin}.")
    path = Path(args.file)
    if not path.is_file():
        raise CommandError(f"{path}: file not found")
    cycle = cycle_by_slug(args.cycle, include_drafts=True)
    env = pabulib_import(actor=user, cycle_id=cycle.pk, text=path.read_text(encoding="utf-8-sig"),
                         filename=path.name)
    print(f"imported envelope {env.pk}: {env.projects.count()} projects")  # noqa: T201
    return 0


def _demo() -> None:
    from .demo import load_budget_demo

    load_budget_demo()



def _site_search(query: str, user: Any, limit: int) -> Any:
    from .selectors import site_search_hits

    return site_search_hits(query, user, limit)


class BudgetConfig(AppConfig):
    name = "smartseoul.budget"
    label = "budget"
    verbose_name = _("Citizens' Participatory Budget")

    def manifest(self) -> ModuleManifest:
        from .api import router
        from .services import can_open_office

        return ModuleManifest(
            name="budget",
            search=_site_search,
            title=_("Participatory budget"),
            router=router,
            api_prefix="/budget",
            urls="smartseoul.budget.urls",
            url_prefix="budget/",
            widgets=(
                Widget("budget-phase", _("Participatory budget: phase"), "list", _phase_widget,
                       section="participation", order=30),
                Widget("budget-votes", _("Participatory budget: ballots so far"), "stat", _votes_widget,
                       section="participation", order=31),
            ),
            layers=(
                MapLayer("budget-projects", _("Participatory budget projects"), _projects_layer,
                         style={"color": "#2a7d4f", "kind": "point", "icon": "won"},
                         legend={"funded": _("funded"), "on_ballot": _("on the ballot")},
                         category="participation"),
            ),
            exports=(
                OpenDataExport(
                    key="participatory-budget-results",
                    title_ko="시민참여예산 결과", title_en="Citizens' participatory budget results",
                    description_ko="공개된 시민참여예산 사업별 비용, 득표, 선정 여부와 그 이유, 집행 현황.",
                    description_en="Every project of the published participatory-budget cycles: cost, votes, "
                                   "whether it was funded and why, and how far its implementation has come.",
                    category="administration",
                    fields=(
                        ExportField("cycle", "string", label_ko="회차"),
                        ExportField("year", "integer", label_ko="연도"),
                        ExportField("project_code", "string", label_ko="사업 코드"),
                        ExportField("title", "string", label_ko="사업명"),
                        ExportField("proposal_type", "string", label_ko="제안 유형"),
                        ExportField("envelope", "string", label_ko="예산 구분"),
                        ExportField("district_code", "string", label_ko="자치구 코드"),
                        ExportField("cost_krw", "integer", label_ko="사업비(원)"),
                        ExportField("votes", "integer", label_ko="득표수"),
                        ExportField("status", "string", label_ko="상태"),
                        ExportField("funded", "boolean", label_ko="선정 여부"),
                        ExportField("implementation_status", "string", label_ko="집행 상태"),
                        ExportField("progress_percent", "integer", label_ko="진척률(%)"),
                        ExportField("explanation", "string", label_ko="선정 사유"),
                        ExportField("latitude", "number", label_ko="위도"),
                        ExportField("longitude", "number", label_ko="경도"),
                    ),
                    rows=_export_rows,
                    frequency="daily",
                    keywords=("participatory budget", "시민참여예산", "Pabulib"),
                    primary_key=("project_code",),
                ),
            ),
            tiles=(
                Tile(_("Participatory budget"), "budget:home", "won", "participate",
                     _("Propose projects, vote, see what was funded"), order=30),
                Tile(_("Budget office"), "budget:office", "won", "office",
                     _("Cycles, review, allocation, implementation"), order=30, allowed=can_open_office),
            ),
            demo=_demo,
            commands=(
                Command("export-pabulib", "write an envelope as a Pabulib .pb file", _cmd_export_args, _cmd_export,
                        group="budget"),
                Command("import-pabulib", "import a Pabulib .pb file as an envelope of a cycle", _cmd_import_args,
                        _cmd_import, group="budget"),
            ),
        )
