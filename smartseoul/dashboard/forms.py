from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

# KRDS's text box; Django points each one at its help text (aria-describedby) and, on an error, at the
# error too and marks it aria-invalid. The layout around it is components/field.html.
KRDS_INPUT = {"class": "krds-input"}


class ThemeMapForm(forms.Form):
    title_ko = forms.CharField(label=_("Title"), max_length=120, widget=forms.TextInput(attrs=KRDS_INPUT),
                               help_text=_("In Korean: the name the map has in the list of theme maps."))
    title_en = forms.CharField(label=_("Title in English (optional)"), max_length=120, required=False,
                               widget=forms.TextInput(attrs=KRDS_INPUT),
                               help_text=_("Shown to people who read the site in English."))
    description = forms.CharField(label=_("What is this map about?"), max_length=2000, required=False,
                                  help_text=_("A sentence or two on what the places have in common."),
                                  widget=forms.Textarea(attrs={**KRDS_INPUT, "rows": 3}))


class ThemePointForm(forms.Form):
    title = forms.CharField(label=_("Name of the place"), max_length=120, widget=forms.TextInput(attrs=KRDS_INPUT),
                            help_text=_("For example the name of the shelter, shop or park."))
    description = forms.CharField(label=_("Description"), max_length=1000, required=False,
                                  help_text=_("What someone should know before going there."),
                                  widget=forms.Textarea(attrs={**KRDS_INPUT, "rows": 2}))
    lat = forms.FloatField(label=_("Latitude"), min_value=-90, max_value=90,
                           help_text=_("Tap the map to fill in the position."),
                           widget=forms.NumberInput(attrs={**KRDS_INPUT, "step": "any", "inputmode": "decimal"}))
    lon = forms.FloatField(label=_("Longitude"), min_value=-180, max_value=180,
                           help_text=_("Filled in with the latitude when you tap the map."),
                           widget=forms.NumberInput(attrs={**KRDS_INPUT, "step": "any", "inputmode": "decimal"}))
    photo = forms.FileField(label=_("Photo (optional)"), required=False,
                            help_text=_("JPEG, PNG or WebP."),
                            widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))


class RejectForm(forms.Form):
    note = forms.CharField(label=_("Reason for the author"), max_length=300, widget=forms.TextInput(attrs=KRDS_INPUT),
                           help_text=_("The author sees it with the map and can correct it."))
