"""Pabulib files: our writer read by pabutools, pabutools' writer read by us, errors, and an
imported instance allocated by the platform equals pabutools on the same file."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from pabutools.election import Cost_Sat
from pabutools.election.pabulib import parse_pabulib, parse_pabulib_from_string, write_pabulib
from pabutools.rules import completion_by_rule_combination, greedy_utilitarian_welfare, method_of_equal_shares

from smartseoul.budget import pabulib, selectors, services
from smartseoul.budget.models import Project, ProjectStatus
from smartseoul.core.errors import DomainError
from smartseoul.lib import allocation as A

SAMPLE = """META
key;value
description;Mapo-gu test instance
country;South Korea
unit;Seoul
subunit;Mapo-gu
instance;2024
num_projects;4
num_votes;5
budget;1000
vote_type;approval
rule;greedy
date_begin;01.05.2024
date_end;31.05.2024
PROJECTS
project_id;cost;votes;name;category;target
a;600;3;"Lights; park";safety,environment;seniors
b;500;3;Benches;None;None
c;300;2;Books;education;children
d;200;1;Trees;environment;None
VOTES
voter_id;age;sex;voting_method;vote
1;34;f;mobile;a,b
2;51;m;mobile;a,c
3;29;f;paper;a,b,c
4;40;m;mobile;b,d
5;62;f;mobile;None
"""


def _random_pb(seed: int) -> pabulib.PbFile:
    rnd = random.Random(seed)
    ids = [f"x{i}" for i in range(rnd.randint(2, 15))]
    projects = [pabulib.PbProject(p, rnd.randint(1, 40) * 10, name=f"Project; {p}") for p in ids]
    votes = [pabulib.PbVote(str(v), rnd.sample(ids, rnd.randint(1, len(ids)))) for v in range(rnd.randint(1, 60))]
    meta = {"description": "random", "country": "South Korea", "unit": "Seoul", "instance": "test",
            "budget": str(rnd.randint(10, sum(p.cost for p in projects))), "vote_type": "approval",
            "rule": "greedy"}
    return pabulib.PbFile(meta, projects, votes)


def test_reader_handles_quotes_lists_none_and_bom() -> None:
    pb = pabulib.loads("\ufeff" + SAMPLE)
    assert pb.budget == 1000 and pb.vote_type == "approval"
    assert [p.project_id for p in pb.projects] == ["a", "b", "c", "d"]
    assert pb.projects[0].name == "Lights; park" and pb.projects[0].category == ["safety", "environment"]
    assert pb.projects[1].category == [] and pb.votes[4].vote == []
    assert pb.votes[0].extra == {"age": "34", "sex": "f", "voting_method": "mobile"}
    assert pabulib.tally(pb) == {"a": 3, "b": 3, "c": 2, "d": 1}


@pytest.mark.parametrize("seed", range(25))
def test_our_writer_round_trips_through_pabutools(seed: int) -> None:
    pb = _random_pb(seed)
    text = pabulib.dumps(pb)
    instance, profile = parse_pabulib_from_string(text)
    assert int(instance.budget_limit) == pb.budget
    assert {p.name: int(p.cost) for p in instance} == {p.project_id: p.cost for p in pb.projects}
    assert sorted(sorted(p.name for p in b) for b in profile) == sorted(sorted(v.vote) for v in pb.votes)
    assert {instance.project_meta[p]["name"] for p in instance} == {p.name for p in pb.projects}
    # and back through our reader
    again = pabulib.loads(text)
    assert [(p.project_id, p.cost, p.name) for p in again.projects] == [(p.project_id, p.cost, p.name)
                                                                         for p in pb.projects]
    assert [v.vote for v in again.votes] == [v.vote for v in pb.votes]


def test_we_read_what_pabutools_writes(tmp_path: Path) -> None:
    # pabutools cannot read an empty ballot, and its writer does not quote a ";" inside a name
    text = SAMPLE.replace("5;62;f;mobile;None\n", "").replace('"Lights; park"', "Lights")
    (tmp_path / "in.pb").write_text(text, encoding="utf-8")
    instance, profile = parse_pabulib(str(tmp_path / "in.pb"))
    write_pabulib(instance, profile, str(tmp_path / "out.pb"))
    raw = (tmp_path / "out.pb").read_bytes()
    assert raw.startswith("\ufeff".encode())
    pb = pabulib.loads(raw.decode("utf-8"))  # the BOM pabutools writes is stripped
    assert pb.budget == 1000
    assert sorted(p.project_id for p in pb.projects) == ["a", "b", "c", "d"]
    assert sorted(sorted(v.vote) for v in pb.votes) == sorted(sorted(b) for b in
                                                              [["a", "b"], ["a", "c"], ["a", "b", "c"], ["b", "d"]])


@pytest.mark.parametrize(("text", "needle"), [
    ("PROJECTS\nproject_id;cost\na;1\n", "META"),
    (SAMPLE.replace("budget;1000\n", ""), "budget"),
    (SAMPLE.replace("vote_type;approval", "vote_type;weird"), "vote_type"),
    (SAMPLE.replace("project_id;cost;votes", "name;cost;votes"), "project_id"),
    (SAMPLE.replace("a;600;3", "a;six hundred;3"), "line 17"),
    (SAMPLE.replace("4;40;m;mobile;b,d", "4;40;m;mobile;b,zz"), "unknown project zz"),
    (SAMPLE.replace("d;200;1;Trees", "a;200;1;Trees"), "share one project_id"),
    (SAMPLE.replace("c;300;2;Books;education;children", "c;300;2;Books"), "line 19"),
    (SAMPLE.replace("a;600;3", "a;600,5;3"), "whole amount"),
])
def test_bad_files_are_refused_with_the_line(text: str, needle: str) -> None:
    with pytest.raises(pabulib.PabulibError) as err:
        pabulib.loads(text)
    assert needle in str(err.value)


@pytest.mark.django_db
@pytest.mark.parametrize("rule", ["greedy", "mes"])
def test_imported_instance_allocates_like_pabutools(rule: str, make_cycle: Any, budget_admin: Any) -> None:
    pb = _random_pb(7)
    text = pabulib.dumps(pb)
    cycle = make_cycle(slug=f"import-{rule}", rule=rule, envelopes=[("citywide", 1, "", "")])
    for phase in ("submission", "review", "deliberation", "vote", "allocation"):
        services.cycle_advance(actor=budget_admin, cycle_id=cycle.pk, to_phase=phase)
    env = services.pabulib_import(actor=budget_admin, cycle_id=cycle.pk, text=text, filename="random.pb")
    prefix = f"{cycle.slug}-pb2-"
    funded = {c.removeprefix(prefix) for c in
              Project.objects.filter(envelope=env, status=ProjectStatus.FUNDED).values_list("code", flat=True)}
    instance, profile = parse_pabulib_from_string(text)
    cands = [A.Candidate(p.project_id, p.cost, pabulib.tally(pb)[p.project_id],
                         submitted=0) for p in pb.projects]
    tb = A.pabutools_tie_breaking(cands)
    params = {"sat_class": Cost_Sat, "tie_breaking": tb}
    if rule == "greedy":
        direct = greedy_utilitarian_welfare(instance, profile, **params)
    else:
        direct = completion_by_rule_combination(instance, profile, [method_of_equal_shares, greedy_utilitarian_welfare],
                                                [params, params])
    assert {p.name for p in direct} == funded
    # the export of the imported envelope round-trips too
    services.cycle_advance(actor=budget_admin, cycle_id=cycle.pk, to_phase="implementation")
    again, again_profile = parse_pabulib_from_string(selectors.pabulib_export(env))
    assert len(again_profile) == len(pb.votes)
    assert {p.name.removeprefix(prefix) for p in again if again.project_meta[p].get("selected") == "1"} == funded


@pytest.mark.django_db
def test_a_bad_file_stores_nothing(make_cycle: Any, budget_admin: Any) -> None:
    cycle = make_cycle(slug="import-bad")
    before = cycle.envelopes.count()
    with pytest.raises(DomainError) as err:
        services.pabulib_import(actor=budget_admin, cycle_id=cycle.pk, text="META\nkey;value\n", filename="x.pb")
    assert err.value.code == "bad_pabulib"
    assert cycle.envelopes.count() == before and not Project.objects.filter(cycle=cycle).exists()
