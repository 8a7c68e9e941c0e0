from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from smartseoul.core import selectors as core_selectors

from .models import OUTCOMES, Category, InquiryMode, ReportReason, Stance, Timing


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


def _district_choices() -> list[tuple[str, str]]:
    return [("city", str(_("City-wide")))] + [(d.code, d.name) for d in core_selectors.districts()]


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=150, min_length=5)
    problem = forms.CharField(label=_("What is the problem?"), widget=forms.Textarea(attrs={"rows": 5}), min_length=10)
    solution = forms.CharField(label=_("What do you suggest?"), widget=forms.Textarea(attrs={"rows": 5}), min_length=10)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    district = forms.ChoiceField(label=pgettext_lazy("district", "Where"), choices=())
    files = MultipleFileField(  # type: ignore[assignment]  # a form field named "files", not Form.files
        label=_("Photos or documents (optional)"),
        required=False,
        help_text=_("Up to 5 files: JPEG, PNG, WebP or PDF, 10 MB each. Photo location data is removed."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["district"]).choices = _district_choices()


class AnswerForm(forms.Form):
    body = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 8}), min_length=10)
    outcome = forms.ChoiceField(
        label=_("Outcome"), required=False, choices=[("", "—"), *[(s.value, s.label) for s in OUTCOMES]]
    )


class ReassignForm(forms.Form):
    department = forms.ChoiceField(label=_("Department"), choices=())
    reason = forms.CharField(label=_("Reason"), max_length=500)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", _("— choose a department —")), *department_choices()]  # type: ignore[attr-defined]


def department_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Departments by name, grouped: the city's own first, then each district's (no code to type)."""
    from smartseoul.core.models import Department

    groups: dict[str, list[tuple[str, str]]] = {}
    for d in Department.objects.select_related("district").order_by("district__code", "code"):
        key = d.district.name if d.district else str(_("City departments"))
        groups.setdefault(key, []).append((d.code, d.name))
    return list(groups.items())


class SelectionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("open", _("Open a public forum")), ("decline", _("No forum"))]
    )
    note = forms.CharField(label=_("Note or reason"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class OpinionForm(forms.Form):
    stance = forms.ChoiceField(label=_("Your position"), choices=Stance.choices, widget=forms.RadioSelect)
    body = forms.CharField(
        label=_("Why? (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=3000
    )


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), max_length=3000)
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ReportForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=ReportReason.choices)
    note = forms.CharField(label=_("Details (optional)"), required=False, max_length=500)


class LadderConfigForm(forms.Form):
    support_window_days = forms.IntegerField(label=_("Support window (days)"), min_value=1, max_value=365)
    department_threshold = forms.IntegerField(label=_("Supporters for a department answer"), min_value=1)
    forum_threshold = forms.IntegerField(label=_("Supporters for a public forum"), min_value=1)
    mayor_threshold = forms.IntegerField(label=_("Forum participants for the mayor's answer"), min_value=1)
    forum_days = forms.IntegerField(label=_("Forum length (days)"), min_value=1, max_value=365)
    department_answer_days = forms.IntegerField(
        label=_("Days for the department to answer"), min_value=1, max_value=365
    )
    selection_days = forms.IntegerField(label=_("Days for the Proposal Selection Group"), min_value=1, max_value=365)
    decision_answer_days = forms.IntegerField(
        label=_("Days for the final answer after a forum"), min_value=1, max_value=365
    )
    reminder_days_before = forms.IntegerField(
        label=_("Remind this many days before a due date"), min_value=0, max_value=60
    )
    reports_to_hide = forms.IntegerField(
        label=_("Reports that hide content until reviewed"), min_value=1, max_value=1000
    )
    require_real_name = forms.BooleanField(label=_("Support needs real-name verification"), required=False)


class InquiryForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=150)
    question = forms.CharField(label=_("Question"), widget=forms.Textarea(attrs={"rows": 4}))
    background = forms.CharField(label=_("Background"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    timing = forms.ChoiceField(label=_("Timing"), choices=Timing.choices)
    mode = forms.ChoiceField(label=_("Answered by"), choices=InquiryMode.choices)
    options = forms.CharField(
        label=_("Vote options (one per line)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    closes_at = forms.DateTimeField(label=_("Closes at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    district = forms.ChoiceField(label=_("Area"), choices=())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["district"]).choices = _district_choices()


class InquiryResponseForm(forms.Form):
    body = forms.CharField(label=_("Your answer"), widget=forms.Textarea(attrs={"rows": 4}), max_length=3000)


class SummaryForm(forms.Form):
    summary = forms.CharField(label=_("What we heard and what we will do"), widget=forms.Textarea(attrs={"rows": 6}))
