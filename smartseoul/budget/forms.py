from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import ImplementationStatus, Phase, ProposalType

# What each proposal type means, shown next to the choice on the proposal form.
TYPE_HELP: dict[str, Any] = {
    ProposalType.BROAD: _("A project you propose for the whole city or across several districts; a city department "
                          "reviews it and citizens vote on it."),
    ProposalType.DISTRICT: _("A project for one district (gu), planned with the district office and its residents; "
                             "it is funded from that district's envelope."),
    ProposalType.COOPERATIVE: _("A project that the city's departments plan and carry out together with "
                                "civil-society groups and experts, often over several years."),
    ProposalType.DEMOCRACY: _("Turns a proposal adopted on Democracy Seoul into a budget project: find and choose "
                              "that proposal below."),
    ProposalType.LOCAL: _("A project for one neighbourhood (dong), planned by its residents' self-governing council "
                          "together with the residents."),
    ProposalType.DELIBERATION: _("A project proposed after citizens deliberate in a citizens' panel on a policy "
                                 "question the city puts to them."),
}


def district_choices() -> list[tuple[str, str]]:
    """Every district by name in the reader's language (가나다 / alphabetical), the code as value."""
    from smartseoul.core.selectors import districts

    rows = [(d.code, d.name) for d in districts()]
    return [("", str(_("— choose a district —"))), *sorted(rows, key=lambda r: r[1])]


class ProposalForm(forms.Form):
    proposal_type = forms.ChoiceField(label=_("Proposal type"), choices=ProposalType.choices,
                                      widget=forms.RadioSelect,
                                      error_messages={"required": _("Choose the type of your proposal.")})
    title = forms.CharField(label=_("Title"), min_length=4, max_length=200)
    summary = forms.CharField(label=_("Summary"), min_length=10, max_length=500,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("In a few sentences: what should be done, and for whom."))
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 6}))
    category = forms.CharField(label=_("Topic"), required=False, max_length=60,
                               help_text=_("For example: environment, safety, welfare."))
    requested_cost = forms.IntegerField(
        label=_("Estimated cost (won)"), min_value=1, max_value=10**15,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": "1"}),
        help_text=_("A whole number of won; the city's review sets the official cost."),
        error_messages={"invalid": _("Write the cost as a whole number of won, e.g. 300000000."),
                        "required": _("Give an estimated cost in won.")})
    district_code = forms.ChoiceField(label=_("District (gu)"), required=False, choices=(),
                                      help_text=_("Needed for district and local (dong) proposals. A pin on the map "
                                                  "sets the district for you."))
    lat = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=33.0, max_value=39.0)
    lon = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=124.0, max_value=132.0)
    democracy_proposal_id = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district_code"].choices = district_choices()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors.get("lat") or self.errors.get("lon") or (data.get("lat") is None) != (data.get("lon") is None):
            self.errors.pop("lat", None)
            self.errors.pop("lon", None)
            self.add_error("district_code", _("The pin on the map could not be read; pin the place again."))
            data["lat"] = data["lon"] = None
        ptype = data.get("proposal_type")
        if ptype in (ProposalType.DISTRICT, ProposalType.LOCAL) and not data.get("district_code") \
                and data.get("lat") is None:
            self.add_error("district_code", _("District and local (dong) proposals need a place: choose the district "
                                              "or pin the place on the map."))
        if ptype == ProposalType.DEMOCRACY:
            if not data.get("democracy_proposal_id"):
                self.add_error("democracy_proposal_id", _("Search for the adopted Democracy Seoul proposal this "
                                                          "builds on, and choose it."))
        else:
            data["democracy_proposal_id"] = None  # chosen before the type was changed: not part of this proposal
        return data


class ReviewForm(forms.Form):
    feasible = forms.TypedChoiceField(label=_("Decision"), coerce=lambda v: v == "yes",
                                      choices=[("yes", _("eligible")), ("no", _("not eligible"))])
    cost = forms.IntegerField(label=_("Official cost estimate (won)"), required=False, min_value=1,
                              widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": "1"}))
    department_code = forms.ChoiceField(label=_("Responsible department"), required=False, choices=())
    envelope_id = forms.TypedChoiceField(label=_("Envelope"), required=False, coerce=int, empty_value=None,
                                         choices=())
    note = forms.CharField(label=_("Note (the reason, if not eligible)"), required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, envelopes: Any = (), departments: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["envelope_id"].choices = [  # type: ignore[attr-defined]
            ("", _("— the default envelope for its type and place —")), *((e.pk, e.name) for e in envelopes)]
        self.fields["department_code"].choices = [("", _("— none —")), *departments]  # type: ignore[attr-defined]


class ScoreForm(forms.Form):
    score = forms.IntegerField(label=_("Score (0–100)"), min_value=0, max_value=100)
    comment = forms.CharField(label=pgettext_lazy("review", "Comment"), required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))


class OverrideForm(forms.Form):
    funded = forms.TypedChoiceField(label=_("Decision"), coerce=lambda v: v == "yes",
                                    choices=[("yes", _("fund")), ("no", _("do not fund"))])
    reason = forms.CharField(label=_("Public reason"), widget=forms.Textarea(attrs={"rows": 3}))


class UpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ImplementationStatus.choices)
    progress = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    note = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 3}))
    photo = forms.ImageField(label=_("Photo"), required=False)


class AdvanceForm(forms.Form):
    to_phase = forms.ChoiceField(choices=Phase.choices)
    vote_closes = forms.DateTimeField(
        label=_("The vote closes at (Seoul time)"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("The vote opens as soon as you move the cycle; by default it closes at the scheduled end, "
                    "or in two weeks if that is less than a day away."),
    )


class PabulibForm(forms.Form):
    file = forms.FileField(label=_("Pabulib .pb file"))
