"""Seeds the versioned threshold tables (data/thresholds.json): source and effective date each."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "thresholds.json"


def load(apps, schema_editor):
    IndexThreshold = apps.get_model("sensors", "IndexThreshold")
    for item in json.loads(DATA.read_text(encoding="utf-8")):
        IndexThreshold.objects.update_or_create(
            kind=item["kind"], version=item["version"],
            defaults={"table": item["table"], "source": item["source"],
                      "effective_from": date.fromisoformat(item["effective_from"]), "notes": item.get("notes", "")},
        )


def unload(apps, schema_editor):
    apps.get_model("sensors", "IndexThreshold").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("sensors", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
