from __future__ import annotations

import h3
import numpy as np
import pytest

from smartseoul.lib import hexgrid, routing


def _line_world() -> tuple[hexgrid.Grid, list[int], list[list[tuple[int, float]]]]:
    """A straight line of 9 cells inside a disk of cells (so other paths exist)."""
    start = h3.latlng_to_cell(37.5665, 126.978, 8)
    i, j = h3.cell_to_local_ij(start, start)
    end = h3.local_ij_to_cell(start, i + 8, j)  # 8 steps along one grid axis: a straight line
    line_cells = h3.grid_path_cells(start, end)
    disk = set()
    for c in line_cells:
        disk.update(h3.grid_disk(c, 3))
    grid = hexgrid.Grid.from_cells([hexgrid.cell_int(c) for c in disk], 8)
    pos = grid.index_of(np.array([hexgrid.cell_int(c) for c in line_cells])).tolist()
    return grid, pos, grid.neighbours()


def _line_flows(pos: list[int], grid: hexgrid.Grid) -> routing.Flows:
    o, d, w = [], [], []
    for i in range(len(pos)):
        for j in range(i + 1, len(pos)):
            o.append(pos[i])
            d.append(pos[j])
            w.append(10.0 + i + j)
    # a little demand off the line, between two cells far apart
    o.append(0)
    d.append(len(grid) - 1)
    w.append(3.0)
    return routing.Flows(np.array(o), np.array(d), np.array(w))


def test_planner_finds_the_known_best_route_on_a_line() -> None:
    grid, line, adj = _line_world()
    flows = _line_flows(line, grid)
    length = routing.path_length(adj, line)
    params = routing.PlanParams(routes=1, max_length_m=length + 100, buses=3, top_pairs=50)
    plan = routing.plan_routes(adj, flows, params)
    assert len(plan.routes) == 1
    route = plan.routes[0]
    assert route.path in (line, list(reversed(line)))
    line_demand = float(flows.weight[:-1].sum())
    assert plan.served_demand == pytest.approx(line_demand)
    assert plan.share == pytest.approx(line_demand / float(flows.weight.sum()))
    # the middle segments carry the most riders, the ends the fewest
    seg = route.segment_riders
    assert len(seg) == len(line) - 1
    assert max(seg) == seg[len(seg) // 2] or max(seg) == seg[(len(seg) - 1) // 2]
    assert seg[0] < max(seg) and seg[-1] < max(seg)
    assert route.buses == 3
    assert set(route.intervals_min) == set(routing.WEEKDAYS)


def test_exact_and_greedy_agree_on_the_line() -> None:
    grid, line, adj = _line_world()
    flows = _line_flows(line, grid)
    length = routing.path_length(adj, line)
    greedy = routing.plan_routes(adj, flows, routing.PlanParams(routes=2, max_length_m=length + 100, method="greedy"))
    exact = routing.plan_routes(adj, flows, routing.PlanParams(routes=2, max_length_m=length + 100, method="exact"))
    assert exact.served_demand == pytest.approx(greedy.served_demand)


def test_a_length_limit_shorter_than_the_line_serves_part_of_it() -> None:
    grid, line, adj = _line_world()
    flows = _line_flows(line, grid)
    half = routing.path_length(adj, line[:5])
    plan = routing.plan_routes(adj, flows, routing.PlanParams(routes=1, max_length_m=half + 50))
    assert plan.routes[0].length_m <= half + 50
    assert 0 < plan.share < 0.9


@pytest.mark.parametrize(
    ("params", "code"),
    [
        (routing.PlanParams(routes=0), "bad_route_count"),
        (routing.PlanParams(max_length_m=400, stop_spacing_m=500), "route_too_short"),
        (routing.PlanParams(stop_spacing_m=50), "bad_stop_spacing"),
        (routing.PlanParams(routes=5, buses=3), "too_few_buses"),
        (routing.PlanParams(alternatives=0), "bad_alternatives"),
    ],
)
def test_impossible_constraints_are_refused(params: routing.PlanParams, code: str) -> None:
    grid, line, adj = _line_world()
    with pytest.raises(routing.PlanningError) as exc:
        routing.plan_routes(adj, _line_flows(line, grid), params)
    assert exc.value.code == code


def test_no_route_fits_between_stops() -> None:
    grid, line, adj = _line_world()
    # 600 m is more than one stop spacing but shorter than any hop between cell centres (~700–820 m)
    with pytest.raises(routing.PlanningError) as exc:
        routing.plan_routes(adj, _line_flows(line, grid), routing.PlanParams(max_length_m=600))
    assert exc.value.code == "no_candidate_routes"


def test_no_demand() -> None:
    _grid, line, adj = _line_world()
    flows = routing.Flows(np.array([line[0]]), np.array([line[0]]), np.array([5.0]))  # inside one cell only
    with pytest.raises(routing.PlanningError) as exc:
        routing.plan_routes(adj, flows, routing.PlanParams())
    assert exc.value.code == "no_demand"


def test_alternative_paths_are_distinct_and_within_length() -> None:
    _grid, line, adj = _line_world()
    length = routing.path_length(adj, line)
    paths = routing.alternative_paths(adj, line[0], line[-1], 3, max_length_m=length * 1.3)
    assert len(paths) == 3
    assert len({tuple(p) for p, _ in paths}) == 3
    assert all(p[0] == line[0] and p[-1] == line[-1] and ln <= length * 1.3 for p, ln in paths)
    assert paths[0][1] == pytest.approx(length)


def test_stops_every_spacing_and_at_both_ends() -> None:
    lats = [37.50, 37.50]
    lons = [127.00, 127.0 + 5000 / 88_400]  # ~5 km east
    stops = routing.place_stops(lats, lons, 500)
    assert 10 <= len(stops) <= 12
    assert stops[0][:2] == (37.50, 127.00)
    assert stops[-1][1] == pytest.approx(lons[1])


def test_geojson_has_segments_with_width_by_riders_and_stops() -> None:
    grid, line, adj = _line_world()
    flows = _line_flows(line, grid)
    params = routing.PlanParams(routes=1, max_length_m=routing.path_length(adj, line) + 100)
    plan = routing.plan_routes(adj, flows, params)
    ids = [hexgrid.cell_str(int(c)) for c in grid.cells]
    fc = routing.plan_geojson(plan, grid.lats, grid.lons, ids, params)
    segments = [f for f in fc["features"] if f["properties"]["kind"] == "segment"]
    stops = [f for f in fc["features"] if f["properties"]["kind"] == "stop"]
    assert len(segments) == len(line) - 1
    widths = [s["properties"]["width"] for s in segments]
    riders = [s["properties"]["riders"] for s in segments]
    assert widths.index(max(widths)) == riders.index(max(riders))
    assert min(widths) < max(widths)
    assert len(stops) >= 2
    assert fc["properties"]["share_served"] == pytest.approx(plan.share, abs=1e-4)


def test_coverage_of_existing_paths() -> None:
    grid, line, _adj = _line_world()
    flows = _line_flows(line, grid)
    share, each = routing.coverage_of_paths([line[:3]], flows)
    expected = float(flows.weight[[0, 1, 8]].sum()) / float(flows.weight.sum())
    assert share == pytest.approx(expected)
    assert each == [pytest.approx(expected)]


def test_walking_catchment_serves_trips_from_neighbouring_cells() -> None:
    _grid, line, adj = _line_world()
    beside_start = next(n for n, _ in adj[line[0]] if n not in line)
    beside_end = next(n for n, _ in adj[line[-1]] if n not in line)
    flows = routing.Flows(np.array([line[0], beside_start]), np.array([line[-1], beside_end]), np.array([10.0, 5.0]))
    length = routing.path_length(adj, line)
    on_path = routing.coverage_of_paths([line], flows)[0]
    walking = routing.coverage_of_paths([line], flows, adj=adj, catchment_rings=1)[0]
    assert on_path == pytest.approx(10 / 15)
    assert walking == pytest.approx(1.0)
    plan = routing.plan_routes(adj, flows, routing.PlanParams(routes=1, max_length_m=length + 100, catchment_rings=1))
    assert plan.share == pytest.approx(1.0)
    assert max(plan.routes[0].segment_riders) == pytest.approx(15.0)


def test_undirected_merges_both_directions_with_weekday_and_hour_profiles() -> None:
    rng = np.random.default_rng(3)
    o = rng.integers(0, 6, 400)
    d = rng.integers(0, 6, 400)
    w = rng.integers(1, 5, 400).astype(float)
    wd = rng.random((400, 7))
    hr = rng.random((400, 24))
    und = routing.Flows(o, d, w, wd, hr).undirected()
    for a, b in zip(und.origin.tolist(), und.dest.tolist(), strict=True):
        mask = ((o == a) & (d == b)) | ((o == b) & (d == a))
        j = int(np.nonzero((und.origin == a) & (und.dest == b))[0][0])
        assert a < b
        assert und.weight[j] == pytest.approx(w[mask].sum())
        assert und.by_weekday[j] == pytest.approx(wd[mask].sum(axis=0))
        assert und.by_hour[j] == pytest.approx(hr[mask].sum(axis=0))
    assert float(und.weight.sum()) == pytest.approx(float(w[o != d].sum()))


def test_grouped_matrix_equals_add_at() -> None:
    rng = np.random.default_rng(4)
    g, c, v = rng.integers(0, 50, 1000), rng.integers(0, 7, 1000), rng.random(1000)
    expected = np.zeros((50, 7))
    np.add.at(expected, (g, c), v)
    assert routing.grouped_matrix(g, c, v, 50, 7) == pytest.approx(expected)
