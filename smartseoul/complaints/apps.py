from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from smartseoul.core.registry import (
    Command,
    ExportField,
    MapLayer,
    ModuleManifest,
    OpenDataExport,
    Periodic,
    Tile,
    Widget,
)


def _escalate_args(parser: Any) -> None:
    return None


def _escalate(args: Any) -> int:
    from rich.console import Console

    from .services import complaints_escalate_overdue

    Console().print(f"escalated {complaints_escalate_overdue()} overdue reports to their department heads")
    return 0


def _generate_args(parser: Any) -> None:
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--seed", type=int, default=7)


def _generate(args: Any) -> int:
    from rich.progress import Progress

    from smartseoul.accounts.selectors import user_by_username
    from smartseoul.core.errors import CommandError

    from .demo import DEMO_REPORTER
    from .services import complaints_generate

    if args.count <= 0:
        raise CommandError("--count must be positive")
    reporter = user_by_username(DEMO_REPORTER)
    if reporter is None:
        raise CommandError("run `smartseoul demo` first (it creates the demo reporter)")
    with Progress() as progress:
        task = progress.add_task("synthetic reports", total=args.count)
        complaints_generate(
            count=args.count,
            reporter=reporter,
            days=args.days,
            seed=args.seed,
            progress=lambda n: progress.advance(task, n),
        )
    return 0


def _follow_up_pending() -> int:
    from .services import complaints_follow_up_pending

    return complaints_follow_up_pending()


def _site_search(query: str, user: Any, limit: int) -> Any:
    from .selectors import site_search_hits

    return site_search_hits(query, user, limit)


class ComplaintsConfig(AppConfig):
    name = "smartseoul.complaints"
    label = "complaints"
    verbose_name = _("Smart Complaint Report")

    def manifest(self) -> ModuleManifest:
        from . import selectors
        from .api import router
        from .demo import load_demo
        from .services import on_day

        return ModuleManifest(
            name="complaints",
            search=_site_search,
            title=_("Smart Complaint Report"),
            router=router,
            api_prefix="/complaints",
            urls="smartseoul.complaints.urls",
            url_prefix="complaints/",
            root_urls="smartseoul.complaints.open311_urls",
            widgets=(
                Widget("complaints.today", _("Complaints today"), "stat", selectors.widget_today, order=10),
                Widget("complaints.open", _("Open complaints"), "stat", selectors.widget_open, order=11),
                Widget(
                    "complaints.overdue",
                    _("Overdue complaints by district"),
                    "districts",
                    selectors.widget_overdue,
                    order=12,
                ),
                Widget(
                    "complaints.top_categories",
                    _("Top complaint categories"),
                    "list",
                    selectors.widget_top_categories,
                    order=13,
                ),
                Widget(
                    "complaints.resolve_time",
                    _("Average time to resolve"),
                    "stat",
                    selectors.widget_resolve_time,
                    order=14,
                ),
                Widget(
                    "complaints.overdue_by_department",
                    _("Overdue complaints by department"),
                    "list",
                    selectors.widget_overdue_by_department,
                    internal=True,
                    order=15,
                ),
                Widget(
                    "complaints.workload",
                    _("Complaint workload by official"),
                    "list",
                    selectors.widget_workload,
                    internal=True,
                    order=16,
                ),
            ),
            layers=(
                MapLayer(
                    "complaints",
                    _("Citizens' reports"),
                    lambda q: selectors.layer_features(q, mode="cluster"),
                    style={"color": "#b45309", "kind": "cluster"},
                    legend={"count": _("reports")},
                    category="complaints",
                    shown_first=True,
                ),
                MapLayer(
                    "complaints-heat",
                    _("Citizens' reports (heat map)"),
                    lambda q: selectors.layer_features(q, mode="heat"),
                    style={"color": "#d33", "kind": "heat"},
                    legend={"intensity": _("relative density")},
                    category="complaints",
                ),
            ),
            exports=(
                OpenDataExport(
                    key="complaints-daily",
                    title_ko="스마트불편신고 민원 현황(일별)",
                    title_en="Smart Complaint Reports (daily)",
                    description_ko=(
                        "시민 불편신고의 분류, 자치구, 행정동, 처리 상태, 접수·처리일. "
                        "위치는 약 50 m 격자로 반올림하고 신고인 정보는 포함하지 않습니다."
                    ),
                    description_en="Citizens' reports by category, district, neighbourhood, status, received and "
                    "resolved dates. Positions are rounded to a ~50 m grid; no reporter data.",
                    category="administration",
                    fields=(
                        ExportField(
                            "service_request_id", "string", "receipt number (Open311 id)",
                            label_ko="접수번호(Open311 ID)",
                        ),
                        ExportField(
                            "service_code", "string", "category code (Open311 service_code)", label_ko="유형 코드"
                        ),
                        ExportField("category_ko", "string", "category name in Korean", label_ko="유형(한국어)"),
                        ExportField("category_en", "string", "category name in English", label_ko="유형(영어)"),
                        ExportField("district_code", "string", "district (gu) code", label_ko="자치구 코드"),
                        ExportField("dong_code", "string", "neighbourhood (dong) code", label_ko="행정동 코드"),
                        ExportField("status", "string", "detailed status", label_ko="처리 상태"),
                        ExportField("open311_status", "string", "open or closed", label_ko="열림/닫힘"),
                        ExportField("created_date", "date", "date received (Asia/Seoul)", label_ko="접수일"),
                        ExportField(
                            "resolved_date", "date", "date resolved (Asia/Seoul), empty when not resolved",
                            label_ko="처리 완료일",
                        ),
                        ExportField(
                            "lat", "number", "latitude rounded to ~50 m (WGS84)", label_ko="위도(약 50 m 단위)"
                        ),
                        ExportField(
                            "lon", "number", "longitude rounded to ~50 m (WGS84)", label_ko="경도(약 50 m 단위)"
                        ),
                        ExportField(
                            "metoo_count", "integer", "citizens who added 'me too'", label_ko="'나도 불편해요' 수"
                        ),
                    ),
                    rows=selectors.export_rows,
                    keywords=("민원", "complaints", "Open311", "smart report"),
                    primary_key=("service_request_id",),
                ),
            ),
            tiles=(
                Tile(
                    _("Report a problem"),
                    "complaints:new",
                    "megaphone",
                    "report",
                    _("Pin it on the map with a photo"),
                    order=10,
                    featured=True,
                ),
                Tile(_("Citizens' Talk Map"), "complaints:map", "map", "report", _("What others reported"), order=11),
                Tile(_("My reports"), "complaints:mine", "list", "report", _("Status and answers"), order=12,
                     featured=True),
                Tile(
                    _("Complaint work queue"),
                    "complaints:office",
                    "inbox",
                    "office",
                    _("Assign, resolve, transfer"),
                    order=10,
                    allowed=selectors.can_work_queue,
                ),
            ),
            on_day=lambda day: on_day(day),
            periodic=(Periodic("complaints-follow-up", 60, _follow_up_pending),),
            demo=load_demo,
            commands=(
                Command(
                    "escalate",
                    "notify department heads of overdue reports",
                    _escalate_args,
                    _escalate,
                    group="complaints",
                ),
                Command(
                    "generate",
                    "add synthetic reports (demo, load tests)",
                    _generate_args,
                    _generate,
                    group="complaints",
                ),
            ),
        )
