"""HTML forms of the voting module (parsing only; the rules live in services)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import BallotType, Kind, TargetType


class VoteForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    title = forms.CharField(label=_("Question"), max_length=200)
    description = forms.CharField(label=_("Explanation"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    options = forms.CharField(
        label=_("Options"), widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One option per line. For budget votes: text | cost | key"),
    )
    ballot_type = forms.ChoiceField(label=_("Ballot"), choices=BallotType.choices)
    max_choices = forms.IntegerField(label=_("Maximum choices"), required=False, min_value=1)
    points_total = forms.IntegerField(label=_("Points per voter"), required=False, min_value=1)
    budget_limit = forms.IntegerField(label=_("Budget limit (won)"), required=False, min_value=1)
    opens_at = forms.DateTimeField(label=_("Opens"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    closes_at = forms.DateTimeField(label=_("Closes"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    target_type = forms.ChoiceField(label=_("Who may vote"), choices=TargetType.choices)
    district_codes = forms.MultipleChoiceField(
        label=_("Districts"), required=False, choices=(),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "district-choices"}),
        help_text=_("For a residents' vote: the districts whose residents vote."),
    )
    lat = forms.FloatField(label=_("Latitude"), required=False)
    lon = forms.FloatField(label=_("Longitude"), required=False)
    radius_m = forms.FloatField(label=_("Radius (m)"), required=False)
    phones = forms.CharField(label=_("Phone numbers"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                             help_text=_("One per line; stored only as keyed hashes"))
    password = forms.CharField(label=_("Vote password"), required=False)
    allow_change = forms.BooleanField(label=_("Voters may change their ballot before close"), required=False)
    live_results = forms.BooleanField(label=_("Show results while voting"), required=False)
    min_age = forms.IntegerField(label=_("Minimum age"), required=False, min_value=1, max_value=119)
    owner_body = forms.ChoiceField(
        label=_("Owner"), initial="city", choices=(),
        help_text=_("Who runs the vote: the city, the education office or a district office."),
    )

    CITIZEN_FIELDS_LEFT_OUT = ("owner_body", "budget_limit", "phones", "password")

    def __init__(self, *args: Any, official: bool = True, **kwargs: Any) -> None:
        from smartseoul.core.selectors import districts

        super().__init__(*args, **kwargs)
        gu = [(d.code, d.name) for d in districts()]
        self.fields["district_codes"].choices = gu  # type: ignore[attr-defined]
        self.fields["owner_body"].choices = [  # type: ignore[attr-defined]
            ("city", _("Seoul Metropolitan Government")), ("education", _("Seoul Education Office")),
            *[(code, _("%(district)s office") % {"district": name}) for code, name in gu],
        ]
        if not official:  # a citizen asks a general question: no budget, lists, passwords or owners
            self.fields["kind"].choices = [(Kind.GENERAL, Kind.GENERAL.label)]  # type: ignore[attr-defined]
            for name in self.CITIZEN_FIELDS_LEFT_OUT:
                del self.fields[name]
            self.fields["ballot_type"].choices = [  # type: ignore[attr-defined]
                c for c in BallotType.choices if c[0] != BallotType.KNAPSACK]
            self.fields["target_type"].choices = [  # type: ignore[attr-defined]
                c for c in TargetType.choices if c[0] not in (TargetType.PHONES, TargetType.PASSWORD)]
            self.fields["options"].help_text = _("One option per line.")

    def service_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        options = []
        for line in d["options"].splitlines():
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")]
            opt: dict[str, Any] = {"text": parts[0]}
            if len(parts) > 1 and parts[1]:
                opt["cost"] = int(parts[1].replace(",", "")) if parts[1].replace(",", "").isdigit() else -1
            if len(parts) > 2 and parts[2]:
                opt["key"] = parts[2]
            options.append(opt)
        target: dict[str, Any] = {"type": d["target_type"]}
        if d["target_type"] == TargetType.DISTRICTS:
            target["codes"] = list(d["district_codes"])
        elif d["target_type"] == TargetType.GEOFENCE:
            target["circle"] = {"lat": d["lat"], "lon": d["lon"], "radius_m": d["radius_m"]}
        elif d["target_type"] == TargetType.PHONES:
            target["phones"] = [p.strip() for p in d.get("phones", "").splitlines() if p.strip()]
        elif d["target_type"] == TargetType.PASSWORD:
            target["password"] = d.get("password", "")
        return {
            "kind": d["kind"], "title": d["title"], "description": d["description"], "options": options,
            "ballot_type": d["ballot_type"], "max_choices": d["max_choices"], "points_total": d["points_total"],
            "budget_limit": d.get("budget_limit"), "opens_at": d["opens_at"], "closes_at": d["closes_at"],
            "target": target, "allow_change": d["allow_change"], "live_results": d["live_results"],
            "min_age": d["min_age"], "owner_body": d.get("owner_body") or "city",
        }
