"""Frictionless Data Package descriptors (STANDARDS.md §4) and the dataset ZIP: the descriptor
at the root and each table as UTF-8 CSV under data/, schema from the datastore fields."""

from __future__ import annotations

import json
import re
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from .constants import LICENCES
from .models import Dataset, Resource
from .selectors import resources_of, tags_of


def _name(text: str, used: set[str]) -> str:
    base = re.sub(r"[^a-z0-9._-]+", "-", text.lower()).strip("-.") or "data"
    name, n = base[:80], 1
    while name in used:
        n += 1
        name = f"{base[:75]}-{n}"
    used.add(name)
    return name


def table_schema(resource: Resource, primary_key: list[str]) -> dict[str, Any]:
    fields = resource.table.fields
    names = {f["id"] for f in fields}
    schema: dict[str, Any] = {
        "fields": [
            {
                "name": f["id"],
                "type": f["type"] if f["type"] != "datetime" else "datetime",
                **({"title": f["info"]["label"]} if f.get("info", {}).get("label") else {}),
                **({"description": f["info"]["notes"]} if f.get("info", {}).get("notes") else {}),
            }
            for f in fields
        ],
        "missingValues": [""],
    }
    if primary_key and all(c in names for c in primary_key):
        schema["primaryKey"] = list(primary_key)
    return schema


def descriptor(ds: Dataset, base: str, *, local_paths: dict[str, str] | None = None) -> dict[str, Any]:
    """The datapackage.json of a dataset. With `local_paths` (resource uid → relative path) only
    tables are listed, with relative paths (the ZIP); otherwise every resource, by URL."""
    from .ckan import resource_url

    lic = LICENCES.get(ds.licence)
    used: set[str] = set()
    resources: list[dict[str, Any]] = []
    for res in resources_of(ds):
        has_table = hasattr(res, "table")
        if local_paths is not None and not has_table:
            continue
        item: dict[str, Any] = {"name": _name(res.name, used), "title": res.name}
        if res.description:
            item["description"] = res.description
        if has_table:
            item.update(
                {
                    "path": local_paths[str(res.uid)] if local_paths is not None else resource_url(res, base),
                    "format": "csv",
                    "mediatype": "text/csv",
                    "encoding": "utf-8",
                    "profile": "tabular-data-resource",
                    "schema": table_schema(res, list(ds.primary_key or [])),
                }
            )
        else:
            item["path"] = resource_url(res, base)
            if res.format:
                item["format"] = res.format.lower()
            if res.mimetype:
                item["mediatype"] = res.mimetype
        resources.append(item)
    if not resources:  # a descriptor must list at least one resource
        resources.append({"name": "metadata", "data": [{"dataset": ds.name, "title": ds.title_ko}], "format": "json"})
    package: dict[str, Any] = {
        "name": ds.name,
        "id": str(ds.uid),
        "title": ds.title_ko,
        "description": ds.description_ko or ds.title_ko,
        "version": f"{ds.version}.0.0",
        "created": ds.created_at.isoformat(),
        "homepage": f"{base}/opendata/dataset/{ds.name}/",
        "keywords": [t.name for t in tags_of(ds)],
        "sources": [{"title": ds.organization.title_ko, "path": f"{base}/organization/{ds.organization.name}"}],
        "resources": resources,
    }
    if lic:
        package["licenses"] = [{"name": lic.id, "path": lic.url, "title": lic.title}]
    return package


def build_zip(ds: Dataset, base: str, csv_for: Any) -> Path:
    """A ZIP with datapackage.json and data/<name>.csv per table; `csv_for(table)` returns the CSV path."""
    tmp = Path(tempfile.mkstemp(prefix=f"{ds.name}-", suffix=".zip")[1])
    used: set[str] = set()
    paths: dict[str, str] = {}
    files: list[tuple[Path, str]] = []
    for res in resources_of(ds):
        if hasattr(res, "table"):
            rel = f"data/{_name(res.name, used)}.csv"
            paths[str(res.uid)] = rel
            files.append((csv_for(res.table), rel))
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "datapackage.json", json.dumps(descriptor(ds, base, local_paths=paths), ensure_ascii=False, indent=2)
        )
        for src, rel in files:
            zf.write(src, rel)
    return tmp
