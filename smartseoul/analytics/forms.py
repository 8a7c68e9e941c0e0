"""HTML forms of the analytics pages (parse only; services validate the meaning)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

WEEKDAY_CHOICES = [(0, _("Mon")), (1, _("Tue")), (2, _("Wed")), (3, _("Thu")), (4, _("Fri")), (5, _("Sat")),
                   (6, _("Sun"))]


class Checkboxes(forms.CheckboxSelectMultiple):
    """Checkboxes drawn the KRDS way: the input, then its own label (KRDS draws the box on the label)."""

    template_name = "analytics/widgets/checkboxes.html"


class WindowForm(forms.Form):
    start_hour = forms.IntegerField(label=_("From hour"), initial=0)
    end_hour = forms.IntegerField(label=_("To hour"), initial=5)
    weekdays = forms.TypedMultipleChoiceField(label=_("Weekdays"), choices=WEEKDAY_CHOICES, coerce=int,
                                              required=False, widget=Checkboxes)


class SynthForm(forms.Form):
    rows = forms.IntegerField(label=_("Trips to generate"), initial=50_000)
    days = forms.IntegerField(label=_("Days"), initial=28)


class PlanForm(WindowForm):
    routes = forms.IntegerField(label=_("Number of routes"), initial=5)
    max_length_km = forms.FloatField(label=_("Maximum route length (km)"), initial=25)
    stop_spacing_m = forms.FloatField(label=_("Stop spacing (m)"), initial=500)
    buses = forms.IntegerField(label=_("Buses"), initial=40)
    alternatives = forms.IntegerField(label=_("Alternative paths per pair"), initial=3)


class SitingForm(WindowForm):
    k = forms.IntegerField(label=_("Number of sites"), initial=10)
    radius_m = forms.FloatField(label=_("Coverage distance (m)"), initial=1000)
    demand = forms.ChoiceField(label=_("Demand"), choices=[
        ("night_destinations", _("night trip destinations")), ("night_origins", _("night trip origins")),
        ("residents", _("residents"))])


class DensityForm(WindowForm):
    end_hour = forms.IntegerField(label=_("To hour"), initial=24)
    end = forms.ChoiceField(label=pgettext_lazy("aggregation", "Count"), choices=[
        ("origin", _("trip origins")), ("dest", _("trip destinations"))])


class ODForm(WindowForm):
    top = forms.IntegerField(label=_("Top flows"), initial=300)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Trip file (CSV or Parquet)"))


class RoutesForm(forms.Form):
    file = forms.FileField(label=_("Existing routes (GeoJSON)"))


class StoreForm(forms.Form):
    lat = forms.FloatField(label=_("Latitude"))
    lon = forms.FloatField(label=_("Longitude"))
    category = forms.ChoiceField(label=_("Business category"))
