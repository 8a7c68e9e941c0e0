from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ThemeMapForm(forms.Form):
    title_ko = forms.CharField(label=_("Title"), max_length=120)
    title_en = forms.CharField(label=_("Title in English (optional)"), max_length=120, required=False)
    description = forms.CharField(label=_("What is this map about?"), max_length=2000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))


class ThemePointForm(forms.Form):
    title = forms.CharField(label=_("Name of the place"), max_length=120)
    description = forms.CharField(label=_("Description"), max_length=1000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    lat = forms.FloatField(label=_("Latitude"), min_value=-90, max_value=90,
                           help_text=_("Tap the map to fill in the position."),
                           widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}))
    lon = forms.FloatField(label=_("Longitude"), min_value=-180, max_value=180,
                           widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}))
    photo = forms.FileField(label=_("Photo (optional)"), required=False,
                            widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))


class RejectForm(forms.Form):
    note = forms.CharField(label=_("Reason for the author"), max_length=300)
