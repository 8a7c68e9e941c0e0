from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ImplementationStatus, ProposalType


class ProposalForm(forms.Form):
    proposal_type = forms.ChoiceField(label=_("Proposal type"), choices=ProposalType.choices)
    title = forms.CharField(label=_("Title"), min_length=4, max_length=200)
    summary = forms.CharField(label=_("Summary"), min_length=10, max_length=500,
                              widget=forms.Textarea(attrs={"rows": 3}))
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 6}))
    category = forms.CharField(label=_("Category"), required=False, max_length=60)
    requested_cost = forms.IntegerField(label=_("Estimated cost (KRW)"), min_value=1)
    district_code = forms.CharField(label=_("District code"), required=False, max_length=10)
    lat = forms.FloatField(label=_("Latitude"), required=False, widget=forms.HiddenInput)
    lon = forms.FloatField(label=_("Longitude"), required=False, widget=forms.HiddenInput)
    democracy_proposal_id = forms.IntegerField(label=_("Adopted Democracy Seoul proposal"), required=False)


class ReviewForm(forms.Form):
    feasible = forms.TypedChoiceField(label=_("Decision"), coerce=lambda v: v == "yes",
                                      choices=[("yes", _("eligible")), ("no", _("not eligible"))])
    cost = forms.IntegerField(label=_("Official cost estimate (KRW)"), required=False, min_value=1)
    department_code = forms.CharField(label=_("Responsible department"), required=False, max_length=60)
    envelope_id = forms.IntegerField(label=_("Envelope"), required=False)
    note = forms.CharField(label=_("Note (the reason, if not eligible)"), required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))


class ScoreForm(forms.Form):
    score = forms.IntegerField(label=_("Score (0–100)"), min_value=0, max_value=100)
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class OverrideForm(forms.Form):
    funded = forms.TypedChoiceField(label=_("Decision"), coerce=lambda v: v == "yes",
                                    choices=[("yes", _("fund")), ("no", _("do not fund"))])
    reason = forms.CharField(label=_("Public reason"), widget=forms.Textarea(attrs={"rows": 3}))


class UpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ImplementationStatus.choices)
    progress = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    note = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 3}))
    photo = forms.ImageField(label=_("Photo"), required=False)


class PabulibForm(forms.Form):
    file = forms.FileField(label=_("Pabulib .pb file"))
