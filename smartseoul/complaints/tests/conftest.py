from __future__ import annotations

from typing import Any

import pytest

from .factories import load_categories


@pytest.fixture(autouse=True)
def _fresh_complaint_caches() -> None:
    from smartseoul.complaints import selectors
    from smartseoul.complaints.index import complaint_index

    complaint_index.invalidate()
    selectors._CATEGORY_CACHE["sig"] = None


@pytest.fixture
def categories(city: Any) -> Any:
    return load_categories()


@pytest.fixture
def jongno(city: Any) -> tuple[float, float]:
    from smartseoul.core.models import District

    d = District.objects.get(code="11110")
    return d.centroid_lat, d.centroid_lon
