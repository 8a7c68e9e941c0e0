from __future__ import annotations

import h3
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smartseoul.lib import hexgrid


def test_assignment_agrees_with_h3_on_random_points() -> None:
    rng = np.random.default_rng(20240101)
    lats = rng.uniform(37.40, 37.72, 20_000)
    lons = rng.uniform(126.75, 127.20, 20_000)
    cells = hexgrid.assign_cells(lats, lons, 8, chunks=4)
    expected = [h3.str_to_int(h3.latlng_to_cell(a, b, 8)) for a, b in zip(lats.tolist(), lons.tolist(), strict=True)]
    assert cells.dtype == np.int64
    assert cells.tolist() == expected


@settings(max_examples=200, deadline=None)
@given(lat=st.floats(-89.9, 89.9), lon=st.floats(-179.9, 179.9), res=st.integers(0, 12))
def test_assignment_agrees_with_h3_anywhere(lat: float, lon: float, res: int) -> None:
    got = hexgrid.assign_cells(np.array([lat]), np.array([lon]), res)[0]
    assert hexgrid.cell_str(int(got)) == h3.latlng_to_cell(lat, lon, res)


def test_invalid_coordinates_give_zero() -> None:
    cells = hexgrid.assign_cells(np.array([37.5, np.nan, 95.0]), np.array([127.0, 127.0, 127.0]))
    assert cells[0] != 0 and cells[1] == 0 and cells[2] == 0


def test_cell_conversions_round_trip() -> None:
    s = h3.latlng_to_cell(37.5665, 126.978, 8)
    assert hexgrid.cell_str(hexgrid.cell_int(s)) == s


def test_grid_neighbours_are_adjacent_cells_with_distances() -> None:
    centre = h3.latlng_to_cell(37.5665, 126.978, 8)
    grid = hexgrid.Grid.from_cells([hexgrid.cell_int(c) for c in h3.grid_disk(centre, 2)], 8)
    assert len(grid) == 19
    adj = grid.neighbours()
    i = int(grid.index_of(np.array([hexgrid.cell_int(centre)]))[0])
    assert len(adj[i]) == 6
    assert all(650 < d < 900 for _, d in adj[i])  # res-8 centres are 700–820 m apart
    assert grid.index_of(np.array([hexgrid.cell_int(h3.latlng_to_cell(35.0, 129.0, 8))]))[0] == -1


def test_cell_polygon_is_closed_and_counter_clockwise() -> None:
    poly = hexgrid.cell_polygon(h3.latlng_to_cell(37.5665, 126.978, 8))
    ring = poly["coordinates"][0]
    assert ring[0] == ring[-1] and len(ring) == 7
    assert hexgrid._signed_area(ring[:-1]) > 0


def test_cells_along_line_follow_the_line_in_order() -> None:
    a = h3.latlng_to_cell(37.55, 126.95, 8)
    b = h3.latlng_to_cell(37.55, 127.00, 8)
    (la1, lo1), (la2, lo2) = h3.cell_to_latlng(a), h3.cell_to_latlng(b)
    cells = hexgrid.cells_along_line([[lo1, la1], [lo2, la2]], 8)
    assert cells[0] == hexgrid.cell_int(a) and cells[-1] == hexgrid.cell_int(b)
    assert len(cells) == len(set(cells))


@pytest.mark.parametrize("n", [0, 1, 7])
def test_small_inputs(n: int) -> None:
    assert hexgrid.assign_cells(np.full(n, 37.5), np.full(n, 127.0)).shape == (n,)
