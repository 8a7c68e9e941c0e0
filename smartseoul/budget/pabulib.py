"""Pabulib `.pb` files (https://pabulib.org/format): our own reader and writer, no Django.

A file is UTF-8 text in three sections, META, PROJECTS and VOTES; each is a title line, a header
line of `;`-separated names and data lines. A value holding `;` is double-quoted (CSV rules);
`None` means "no value"; lists (`vote`, `points`, `category`, `target`) are comma-separated.

The writer writes no BOM and keeps ballot metadata to the columns we choose; the reader strips
a BOM (pabutools' writer adds one), accepts a decimal comma in costs and the budget, and names
the line of the first problem it finds. Every export is checked by a round trip through
`pabutools.election.parse_pabulib` in the tests.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

VOTE_TYPES = ("approval", "ordinal", "cumulative", "scoring", "choose-1")
REQUIRED_META = ("description", "country", "unit", "instance", "num_projects", "num_votes", "budget",
                 "vote_type", "rule")
META_ORDER = (*REQUIRED_META[:3], "subunit", *REQUIRED_META[3:], "date_begin", "date_end")
LIST_COLUMNS = frozenset({"category", "categories", "target", "targets"})


class PabulibError(ValueError):
    """A file that is not valid Pabulib; the message names the line."""


@dataclass
class PbProject:
    project_id: str
    cost: int
    votes: int | None = None
    name: str = ""
    category: list[str] = field(default_factory=list)
    target: list[str] = field(default_factory=list)
    selected: int | None = None
    extra: dict[str, str] = field(default_factory=dict)  # score, latitude, longitude, …


@dataclass
class PbVote:
    voter_id: str
    vote: list[str]
    points: list[int] | None = None
    extra: dict[str, str] = field(default_factory=dict)  # age, sex, voting_method, …


@dataclass
class PbFile:
    meta: dict[str, str]
    projects: list[PbProject]
    votes: list[PbVote]

    @property
    def budget(self) -> int:
        return _amount(self.meta["budget"], "META budget")

    @property
    def vote_type(self) -> str:
        return self.meta["vote_type"]


def _amount(raw: str, where: str) -> int:
    try:
        value = Decimal(raw.strip().replace(",", "."))
    except InvalidOperation as exc:
        raise PabulibError(f"{where}: {raw!r} is not a number") from exc
    if value != value.to_integral_value():
        raise PabulibError(f"{where}: {raw!r} is not a whole amount of money")
    if value < 0:
        raise PabulibError(f"{where}: {raw!r} is negative")
    return int(value)


def _cell(value: object) -> str:
    if value is None or value == "" or value == []:
        return "None"
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return str(value)


def dumps(pb: PbFile) -> str:
    """Writes a Pabulib file. Project columns: project_id;cost;votes;name;category;target;selected
    plus any extra keys; vote columns: voter_id;vote[;points] plus extra keys."""
    if pb.vote_type not in VOTE_TYPES:
        raise PabulibError(f"vote_type {pb.vote_type!r} is not one of {', '.join(VOTE_TYPES)}")
    meta = dict(pb.meta)
    meta["num_projects"] = str(len(pb.projects))
    meta["num_votes"] = str(len(pb.votes))
    missing = [k for k in REQUIRED_META if not meta.get(k)]
    if missing:
        raise PabulibError(f"META lacks {', '.join(missing)}")
    out = io.StringIO()
    w = csv.writer(out, delimiter=";", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(["META"])
    w.writerow(["key", "value"])
    for key in [k for k in META_ORDER if k in meta] + [k for k in meta if k not in META_ORDER]:
        w.writerow([key, meta[key]])
    w.writerow(["PROJECTS"])
    extra_p = sorted({k for p in pb.projects for k in p.extra})
    w.writerow(["project_id", "cost", "votes", "name", "category", "target", "selected", *extra_p])
    for p in pb.projects:
        w.writerow([p.project_id, p.cost, _cell(p.votes), _cell(p.name), _cell(p.category), _cell(p.target),
                    _cell(p.selected), *(_cell(p.extra.get(k)) for k in extra_p)])
    w.writerow(["VOTES"])
    with_points = pb.vote_type in ("cumulative", "scoring")
    extra_v = sorted({k for v in pb.votes for k in v.extra})
    w.writerow(["voter_id", *extra_v, "vote", *(["points"] if with_points else [])])
    for v in pb.votes:
        row = [v.voter_id, *(_cell(v.extra.get(k)) for k in extra_v), ",".join(v.vote)]
        if with_points:
            row.append(",".join(str(x) for x in (v.points or [])))
        w.writerow(row)
    return out.getvalue()


def _split(value: str) -> list[str]:
    return [x.strip() for x in value.split(",") if x.strip()]


def loads(text: str) -> PbFile:
    """Reads a Pabulib file; raises PabulibError naming the first problem."""
    text = text.removeprefix("\ufeff")
    rows = csv.reader(io.StringIO(text), delimiter=";")
    section = ""
    header: list[str] = []
    meta: dict[str, str] = {}
    projects: list[PbProject] = []
    votes: list[PbVote] = []
    seen_sections: list[str] = []
    for row in rows:
        line = rows.line_num
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        title = row[0].strip().lower()
        if len(row) == 1 and title in ("meta", "projects", "votes"):
            section = title
            seen_sections.append(title)
            try:
                header = [h.strip() for h in next(rows)]
            except StopIteration as exc:
                raise PabulibError(f"line {line}: section {title.upper()} has no header line") from exc
            if section == "projects" and (not header or header[0] not in ("project_id", "id")):
                raise PabulibError(f"line {rows.line_num}: the first PROJECTS column must be project_id")
            if section == "projects" and "cost" not in header:
                raise PabulibError(f"line {rows.line_num}: PROJECTS has no cost column")
            if section == "votes" and ("vote" not in header or "voter_id" not in header):
                raise PabulibError(f"line {rows.line_num}: VOTES needs voter_id and vote columns")
            continue
        if not section:
            raise PabulibError(f"line {line}: data before the META section")
        if len(row) != len(header):
            raise PabulibError(f"line {line}: {len(row)} values for {len(header)} columns")
        cells = {h: (c.strip() if c.strip().lower() != "none" else "") for h, c in zip(header, row, strict=True)}
        if section == "meta":
            meta[cells["key"]] = cells["value"]
        elif section == "projects":
            pid = row[0].strip()
            if not pid:
                raise PabulibError(f"line {line}: a project has no id")
            known = {"project_id", "id", "cost", "votes", "name", "category", "categories", "target", "targets",
                     "selected"}
            projects.append(PbProject(
                project_id=pid,
                cost=_amount(cells["cost"] or "", f"line {line}: cost of {pid}"),
                votes=int(cells["votes"]) if cells.get("votes") else None,
                name=cells.get("name", ""),
                category=_split(cells.get("category") or cells.get("categories") or ""),
                target=_split(cells.get("target") or cells.get("targets") or ""),
                selected=int(cells["selected"]) if (cells.get("selected") or "").isdigit() else None,
                extra={k: v for k, v in cells.items() if k not in known and v},
            ))
        else:
            vote = _split(cells["vote"])
            points = [int(Decimal(x)) for x in _split(cells.get("points", ""))] if cells.get("points") else None
            votes.append(PbVote(
                voter_id=cells["voter_id"], vote=vote, points=points,
                extra={k: v for k, v in cells.items() if k not in ("voter_id", "vote", "points") and v},
            ))
    if seen_sections[:1] != ["meta"] or "projects" not in seen_sections:
        raise PabulibError("the file needs a META section followed by PROJECTS (and VOTES)")
    for key in ("budget", "vote_type"):
        if not meta.get(key):
            raise PabulibError(f"META lacks {key}")
    pb = PbFile(meta, projects, votes)
    pb.budget  # noqa: B018  (validates the amount)
    if pb.vote_type not in VOTE_TYPES:
        raise PabulibError(f"vote_type {pb.vote_type!r} is not one of {', '.join(VOTE_TYPES)}")
    ids = [p.project_id for p in projects]
    if len(set(ids)) != len(ids):
        raise PabulibError("two projects share one project_id")
    known_ids = set(ids)
    for v in votes:
        unknown = [x for x in v.vote if x not in known_ids]
        if unknown:
            raise PabulibError(f"voter {v.voter_id} votes for unknown project {unknown[0]}")
        if v.points is not None and len(v.points) != len(v.vote):
            raise PabulibError(f"voter {v.voter_id}: points and vote have different lengths")
    return pb


def approval_ballots(pb: PbFile) -> list[list[str]]:
    if pb.vote_type not in ("approval", "choose-1"):
        raise PabulibError(f"the rule needs approval ballots, the file has {pb.vote_type}")
    return [v.vote for v in pb.votes]


def tally(pb: PbFile) -> dict[str, int]:
    """Votes per project from the ballots (points summed for cumulative/scoring files)."""
    counts = {p.project_id: 0 for p in pb.projects}
    for v in pb.votes:
        if v.points is None:
            for pid in set(v.vote):
                counts[pid] += 1
        else:
            for pid, pts in zip(v.vote, v.points, strict=True):
                counts[pid] += pts
    return counts


def build(
    *, meta: Mapping[str, str], projects: Iterable[PbProject], ballots: Sequence[PbVote]
) -> PbFile:
    return PbFile(dict(meta), list(projects), list(ballots))
