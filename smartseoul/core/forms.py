"""What every module's form views share."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import DomainError


def add_domain_error(form: Any, exc: DomainError, by_code: Mapping[str, str] | None = None) -> None:
    """Shows a service's refusal on `form`: at the field the error names (`details["field"]`), else
    at the one its code stands for in `by_code`, else (or when that field is not a visible field of
    the form) above the whole form. The error summary then links to the field."""
    field = str(exc.details.get("field") or (by_code or {}).get(exc.code) or "")
    visible = field in form.fields and not form.fields[field].widget.is_hidden
    form.add_error(field if visible else None, exc.message)
