"""Report categories name a symbol of the site's icon sprite instead of an emoji (an empty box where
no emoji font is installed); a symbol's name needs more than the 8 characters an emoji did."""

from django.db import migrations, models

SPRITE = {"🚗": "bus", "♿": "accessible", "🕳": "alert", "❄": "snow", "🧱": "pin", "💡": "info", "🚧": "building",
          "🗑": "inbox", "🛋": "home", "🪧": "megaphone", "⚠": "shield", "🌫": "air", "🔊": "bell", "🚦": "signal"}


def to_sprite(apps, schema_editor):
    Category = apps.get_model("complaints", "Category")
    for category in Category.objects.exclude(icon=""):
        name = SPRITE.get(category.icon.replace("\ufe0f", ""))
        if name is None and not category.icon.isascii():
            name = "megaphone"
        if name is not None:
            category.icon = name
            category.save(update_fields=["icon"])


class Migration(migrations.Migration):
    dependencies = [("complaints", "0002_report_routed_after_commit")]

    operations = [
        migrations.AlterField(
            model_name="category",
            name="icon",
            field=models.CharField(blank=True, help_text="a symbol of the icon sprite", max_length=40),
        ),
        migrations.RunPython(to_sprite, migrations.RunPython.noop),
    ]
