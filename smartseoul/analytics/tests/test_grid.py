from __future__ import annotations

from typing import Any

import h3
import numpy as np
import pytest
import shapely

from smartseoul.analytics import selectors, services
from smartseoul.analytics.models import GridCell
from smartseoul.core.models import District
from smartseoul.lib.geo import geometry_from_geojson


@pytest.mark.django_db
def test_grid_over_official_boundaries_has_the_seoul_cell_count_and_one_district_per_cell(
    official_boundaries: Any,
) -> None:
    n = services.grid_build(resolution=8)
    assert 1_150 <= n <= 1_350
    shapes = {d.code: geometry_from_geojson(d.boundary) for d in District.objects.all()}
    cells = list(GridCell.objects.filter(resolution=8))
    assert len(cells) == n
    for c in cells:
        lat, lon = h3.cell_to_latlng(c.cell)
        centre = shapely.Point(lon, lat)
        containing = [code for code, g in shapes.items() if g.covers(centre)]
        assert containing == [c.district_code], (c.cell, containing)
        assert h3.get_resolution(c.cell) == 8 and h3.str_to_int(c.cell) == c.cell_id
    assert len({c.district_code for c in cells}) == 25


@pytest.mark.django_db
def test_cells_carry_their_dong_and_the_grid_is_cached_per_boundary_version(city: Any) -> None:
    services.grid_build(resolution=8)
    cg = selectors.city_grid(8)
    assert all(cg.dongs), "every cell of the demo city lies in a dong"
    assert selectors.city_grid(8) is cg
    assert len(cg.adjacency) == len(cg)
    inner = [row for row in cg.adjacency if len(row) == 6]
    assert len(inner) > len(cg) * 0.6


@pytest.mark.django_db
def test_grid_ensure_rebuilds_after_a_boundary_import(official_boundaries: Any) -> None:
    from smartseoul.core.models import City

    first = services.grid_ensure(resolution=8)
    City.objects.update(boundaries_version=first.version + 1)
    second = services.grid_ensure(resolution=8)
    assert second.version == first.version + 1
    assert GridCell.objects.filter(boundaries_version=first.version).count() == 0
    assert np.array_equal(first.grid.cells, second.grid.cells)
