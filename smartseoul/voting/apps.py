from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from smartseoul.core.registry import Command, ExportField, ModuleManifest, OpenDataExport, Periodic, Tile, Widget


def _site_search(query: str, user: Any, limit: int) -> Any:
    from .selectors import site_search_hits

    return site_search_hits(query, user, limit)


class VotingConfig(AppConfig):
    name = "smartseoul.voting"
    label = "voting"
    verbose_name = _("mVoting")

    def manifest(self) -> ModuleManifest:
        from . import demo, sequencer, verify, widgets
        from .api import router
        from .selectors import can_run_votes, results_export_rows

        return ModuleManifest(
            name="voting",
            search=_site_search,
            title=_("mVoting"),
            router=router,
            api_prefix="/voting",
            urls="smartseoul.voting.urls",
            url_prefix="voting/",
            widgets=(
                Widget("voting-open", _("Open votes"), "list", widgets.open_votes, section="participation", order=20),
                Widget("voting-ballots", _("Ballots cast today"), "stat", widgets.ballots_today,
                       section="participation", order=21),
            ),
            exports=(
                OpenDataExport(
                    key="voting-results",
                    title_ko="엠보팅 투표 결과",
                    title_en="mVoting vote results",
                    description_ko="마감된 엠보팅 투표의 선택지별 득표와 비율, "
                                   "투표 기록(머클 로그)의 크기와 루트 해시.",
                    description_en="Counts and shares per option of every closed mVoting vote, with the size and "
                                   "root hash of the vote's ballot log for independent verification.",
                    category="administration",
                    fields=(
                        ExportField("vote_id", "integer", "vote id", label_ko="투표 번호"),
                        ExportField("vote_title", "string", "title", label_ko="투표 제목"),
                        ExportField("kind", "string", "policy, onspot or general", label_ko="투표 종류"),
                        ExportField(
                            "owner_body", "string", "city, education, a district code or citizen", label_ko="주관 기관"
                        ),
                        ExportField(
                            "ballot_type", "string", "single, multiple, approval, ranking, points, knapsack",
                            label_ko="투표 방식",
                        ),
                        ExportField("closed_at", "datetime", "when the vote closed", label_ko="마감 시각"),
                        ExportField("option_id", "integer", "option id", label_ko="선택지 번호"),
                        ExportField("option_text", "string", "option", label_ko="선택지"),
                        ExportField("count", "integer", "ballots choosing the option", label_ko="득표수"),
                        ExportField(
                            "points", "integer", "points (ranking: Borda; points ballots: points given)",
                            label_ko="점수",
                        ),
                        ExportField("share", "number", "share of ballots (or of points)", label_ko="득표율"),
                        ExportField("total_ballots", "integer", "counted ballots of the vote", label_ko="총 투표수"),
                        ExportField(
                            "log_size", "integer", "leaves in the vote's ballot log", label_ko="투표 기록 크기"
                        ),
                        ExportField(
                            "log_root", "string", "root hash (hex) of the final checkpoint",
                            label_ko="최종 체크포인트 루트 해시",
                        ),
                    ),
                    rows=results_export_rows,
                    keywords=("mVoting", "엠보팅", "vote", "투표"),
                    primary_key=("vote_id", "option_id"),
                ),
            ),
            tiles=(
                Tile(_("mVoting"), "voting:list", "vote", "participate", _("Vote on city questions"), order=20,
                     featured=True),
                Tile(_("Check a receipt"), "voting:receipt", "receipt", "participate",
                     _("Verify that your ballot is in the log"), order=21),
                Tile(_("My receipts"), "voting:receipts", "receipt", "mine", _("The ballots you cast"), order=30),
                Tile(_("Votes I run"), "voting:office", "vote", "office", _("Create, schedule and close votes"),
                     order=20, allowed=can_run_votes),
            ),
            on_day=demo.on_day,
            periodic=(Periodic("voting-sweep", 10, _sweep),),
            demo=demo.load_demo,
            commands=(
                Command("verify", "verify a vote's ballot log: signatures, roots, consistency, re-tally",
                        verify.add_arguments, verify.handle, group="ledger"),
                Command("sequencer", "integrate queued ballots into the vote logs (run beside the server)",
                        sequencer.add_arguments, sequencer.handle, group="ledger"),
            ),
        )


def _sweep() -> object:
    from .tasks import sweep

    return sweep.call()
