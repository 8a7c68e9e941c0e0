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
    district_codes = forms.CharField(label=_("District codes"), required=False,
                                     help_text=_("Comma-separated, e.g. 11110, 11140"))
    lat = forms.FloatField(label=_("Latitude"), required=False)
    lon = forms.FloatField(label=_("Longitude"), required=False)
    radius_m = forms.FloatField(label=_("Radius (m)"), required=False)
    phones = forms.CharField(label=_("Phone numbers"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                             help_text=_("One per line; stored only as keyed hashes"))
    password = forms.CharField(label=_("Vote password"), required=False)
    allow_change = forms.BooleanField(label=_("Voters may change their ballot before close"), required=False)
    live_results = forms.BooleanField(label=_("Show results while voting"), required=False)
    min_age = forms.IntegerField(label=_("Minimum age"), required=False, min_value=1, max_value=119)
    owner_body = forms.CharField(label=_("Owner"), initial="city", max_length=20,
                                 help_text=_("city, education, or a district code"))

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
            target["codes"] = [c.strip() for c in d["district_codes"].split(",") if c.strip()]
        elif d["target_type"] == TargetType.GEOFENCE:
            target["circle"] = {"lat": d["lat"], "lon": d["lon"], "radius_m": d["radius_m"]}
        elif d["target_type"] == TargetType.PHONES:
            target["phones"] = [p.strip() for p in d["phones"].splitlines() if p.strip()]
        elif d["target_type"] == TargetType.PASSWORD:
            target["password"] = d["password"]
        return {
            "kind": d["kind"], "title": d["title"], "description": d["description"], "options": options,
            "ballot_type": d["ballot_type"], "max_choices": d["max_choices"], "points_total": d["points_total"],
            "budget_limit": d["budget_limit"], "opens_at": d["opens_at"], "closes_at": d["closes_at"],
            "target": target, "allow_change": d["allow_change"], "live_results": d["live_results"],
            "min_age": d["min_age"], "owner_body": d["owner_body"] or "city",
        }
