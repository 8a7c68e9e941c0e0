from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ApiScope


class SignupForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    email = forms.EmailField(label=_("E-mail (optional)"), required=False)
    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput, min_length=10, help_text=_("At least 10 characters.")
    )


class LoginForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput)


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class ResidentForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    birth_date = forms.CharField(label=_("Date of birth (YYYY-MM-DD)"), max_length=10)


class ApiKeyForm(forms.Form):
    name = forms.CharField(label=_("What is the key for?"), max_length=100)
    scopes = forms.MultipleChoiceField(
        label=_("What may it do?"),
        choices=ApiScope.choices,
        initial=[ApiScope.OPENDATA_READ, ApiScope.OPEN311_READ],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Keys read only unless you tick a write permission. A key expires after a year."),
    )

    def __init__(self, *args: Any, scopes: list[tuple[str, Any]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if scopes is not None:
            self.fields["scopes"].choices = scopes  # type: ignore[attr-defined]
