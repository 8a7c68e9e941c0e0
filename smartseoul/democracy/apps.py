from __future__ import annotations

from datetime import date
from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from smartseoul.core.registry import (
    Command,
    ExportField,
    ModuleManifest,
    OpenDataExport,
    Tile,
    Widget,
    WidgetQuery,
)


def _on_day(day: date) -> None:
    from .services import ladder_tick

    ladder_tick(today=day)


def _demo() -> None:
    from .demo import load_demo

    load_demo()


def _near_threshold(query: WidgetQuery) -> dict[str, Any]:
    from .selectors import near_threshold

    items = near_threshold(limit=8)
    return {
        "value": len(items),
        "unit": "",
        "items": [{"title": i["title"], "url": i["url"], "value": f"{i['value']}/{i['target']}"} for i in items],
    }


def _overdue_by_department(query: WidgetQuery) -> dict[str, Any]:
    from .selectors import answer_tracking

    rows = answer_tracking()
    if query.district_code:
        rows = [r for r in rows if r["district_code"] == query.district_code]
    by_district: dict[str, int] = {}
    for r in rows:
        if r["district_code"]:
            by_district[r["district_code"]] = by_district.get(r["district_code"], 0) + r["overdue"]
    return {
        "value": sum(r["overdue"] for r in rows),
        "unit": "",
        "by_district": by_district,
        "items": [
            {
                "title": r["department_name"] or r["department_code"] or "—",
                "value": r["overdue"],
                "url": "/democracy/answers/",
            }
            for r in rows
            if r["overdue"]
        ][:15],
    }


def _open_proposals(query: WidgetQuery) -> dict[str, Any]:
    from .selectors import stage_counts

    counts = stage_counts()
    return {
        "value": counts.get("deliberation", 0)
        + counts.get("department_answer_due", 0)
        + counts.get("department_answered", 0),
        "unit": "",
        "by_stage": counts,
    }


def _export_rows() -> Any:
    from .selectors import export_rows

    return export_rows()


def _cmd_daily_args(parser: Any) -> None:
    parser.add_argument("--date", help="the day to run for (YYYY-MM-DD); default today")


def _cmd_daily(args: Any) -> int:
    from rich.console import Console

    from smartseoul.core.errors import CommandError

    from .services import ladder_tick

    day = None
    if args.date:
        try:
            day = date.fromisoformat(args.date)
        except ValueError as exc:
            raise CommandError(f"--date must be YYYY-MM-DD, not {args.date!r}") from exc
    counts = ladder_tick(today=day)
    Console().print(f"democracy daily run: {counts}")
    return 0



def _site_search(query: str, user: Any, limit: int) -> Any:
    from .selectors import site_search_hits

    return site_search_hits(query, user, limit)


class DemocracyConfig(AppConfig):
    name = "smartseoul.democracy"
    label = "democracy"
    verbose_name = _("Democracy Seoul")

    def manifest(self) -> ModuleManifest:
        from .api import router
        from .selectors import can_open_office

        return ModuleManifest(
            name="democracy",
            search=_site_search,
            title=_("Democracy Seoul"),
            router=router,
            api_prefix="/democracy",
            urls="smartseoul.democracy.urls",
            url_prefix="democracy/",
            widgets=(
                Widget(
                    "democracy.open",
                    _("Proposals gathering support"),
                    "stat",
                    _open_proposals,
                    section="participation",
                    order=20,
                ),
                Widget(
                    "democracy.near_threshold",
                    _("Proposals close to a threshold"),
                    "list",
                    _near_threshold,
                    section="participation",
                    order=21,
                ),
                Widget(
                    "democracy.overdue",
                    _("Overdue answers to proposals, per department"),
                    "districts",
                    _overdue_by_department,
                    section="participation",
                    internal=True,
                    order=22,
                ),
            ),
            exports=(
                OpenDataExport(
                    key="democracy-proposals",
                    title_ko="민주주의 서울 시민제안 현황",
                    title_en="Democracy Seoul citizens' proposals",
                    description_ko="시민제안별 분야, 자치구, 단계, 공감 수, 공론장 참여자 수와 답변일 (개인정보 없음).",
                    description_en="Every citizens' proposal with its category, district, stage, supporters, "
                    "forum participants and answer dates (no personal data).",
                    category="administration",
                    fields=(
                        ExportField("proposal_id", "integer", "proposal number", label_ko="제안 번호"),
                        ExportField("title", "string", "title", label_ko="제목"),
                        ExportField("category", "string", "topic key", label_ko="주제"),
                        ExportField(
                            "district_code", "string", "district (gu) code; empty for city-wide", label_ko="자치구 코드"
                        ),
                        ExportField("stage", "string", "ladder stage", label_ko="단계"),
                        ExportField("created_date", "date", "date proposed", label_ko="제안일"),
                        ExportField("support_deadline", "date", "end of the support window", label_ko="공감 마감일"),
                        ExportField("supporters", "integer", "number of supporters", label_ko="공감 수"),
                        ExportField(
                            "forum_participants", "integer", "public forum participants", label_ko="토론 참여자 수"
                        ),
                        ExportField("forum_pro", "integer", "forum opinions in favour", label_ko="찬성 의견 수"),
                        ExportField("forum_con", "integer", "forum opinions against", label_ko="반대 의견 수"),
                        ExportField("department_code", "string", "responsible department", label_ko="담당 부서"),
                        ExportField(
                            "department_answered", "date", "date of the department's answer", label_ko="부서 답변일"
                        ),
                        ExportField(
                            "final_answered", "date", "date of the final or mayor's answer",
                            label_ko="최종(시장) 답변일",
                        ),
                        ExportField(
                            "budget_reference", "string", "linked participatory-budget proposal",
                            label_ko="연계 주민참여예산 제안",
                        ),
                    ),
                    rows=_export_rows,
                    keywords=("democracy", "proposal", "participation", "민주주의서울", "시민제안"),
                    primary_key=("proposal_id",),
                ),
            ),
            tiles=(
                Tile(
                    _("Democracy Seoul"),
                    "democracy:index",
                    "vote",
                    "participate",
                    _("Propose policies and support your neighbours' ideas"),
                    order=20,
                ),
                Tile(
                    _("Seoul Inquires"),
                    "democracy:inquiries",
                    "question",
                    "participate",
                    _("The city asks; you answer"),
                    order=21,
                ),
                Tile(
                    _("Proposals to answer"),
                    "democracy:office",
                    "pencil",
                    "office",
                    _("Department answers, forums, moderation"),
                    order=20,
                    allowed=can_open_office,
                ),
            ),
            on_day=_on_day,
            demo=_demo,
            commands=(
                Command(
                    "daily",
                    "run the proposal ladder for today: expiry, forum results, reminders",
                    _cmd_daily_args,
                    _cmd_daily,
                    group="democracy",
                ),
            ),
        )
