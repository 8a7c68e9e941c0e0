"""Facility types name a symbol of the site's icon sprite instead of an emoji (which showed as an
empty box where no emoji font is installed)."""

from django.db import migrations, models

SPRITE = {"📶": "wifi", "🔋": "battery", "⚡": "bolt", "🚻": "restroom", "❄": "snow", "♿": "accessible",
          "🧾": "receipt", "🚲": "bike"}


def to_sprite(apps, schema_editor):
    PoiType = apps.get_model("core", "PoiType")
    for poi_type in PoiType.objects.all():
        name = SPRITE.get(poi_type.icon.replace("\ufe0f", ""), "pin")
        if poi_type.icon != name:
            poi_type.icon = name
            poi_type.save(update_fields=["icon"])


class Migration(migrations.Migration):
    dependencies = [("core", "0002_points_of_interest")]

    operations = [
        migrations.AlterField(
            model_name="poitype",
            name="icon",
            field=models.CharField(default="pin", help_text="a symbol of the icon sprite",
                                   max_length=40),
        ),
        migrations.RunPython(to_sprite, migrations.RunPython.noop),
    ]
