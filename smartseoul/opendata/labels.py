"""How the pages word what the services store: field names, validation and upload messages,
legal grounds, licences and change kinds, in the page's language.

Services keep their English messages (CKAN clients read them as they are); a page shows them
through these tables, and a message not listed here as it is."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .constants import LICENCES, Licence

# Form fields as their labels read (the keys are the services' field names).
FIELD_LABELS: dict[str, Promise] = {
    "organization": _("Publisher"),
    "name": _("Name"),
    "title": _("Title"),
    "title_ko": _("Title (Korean)"),
    "title_en": _("Title (English)"),
    "description": _("Description"),
    "description_ko": _("Description (Korean)"),
    "description_en": _("Description (English)"),
    "category": _("Category"),
    "licence": _("Licence"),
    "license_id": _("Licence"),
    "frequency": _("Update frequency"),
    "tags": _("Tags"),
    "service_name": _("Open API service name"),
    "temporal_end": _("Period"),
    "purpose": _("Purpose"),
    "department": _("Department"),
    "status": _("Decision"),
    "answer": _("Answer"),
    "legal_ground": _("Legal ground"),
    "dataset": _("Published dataset"),
    "url": _("Address"),
    "kind": _("Kind"),
    "datasets": _("Datasets used"),
    "note": _("Note"),
    "number": _("Document number"),
    "body": _("Text"),
    "doc_type": _("Type"),
    "produced_on": _("Date"),
    "disclosure": _("Disclosure"),
    "reason": _("Reason"),
}

_MESSAGES: dict[str, Promise] = {
    "Missing value": _("Fill this in."),
    "Must be 2–100 lower-case letters, digits, - or _.": _("Use 2 to 100 lower-case letters, digits, - or _."),
    "That URL is already in use.": _("This name is already in use."),
    "Letters, digits and _; starting with a letter.": _("Use letters, digits and _, starting with a letter."),
    "That service name is already in use.": _("This service name is already in use."),
    "The end of the period is before its start.": _("The end of the period is before its start."),
    "Give the key a name (e.g. the app that uses it).": _("Give the key a name (e.g. the app that uses it)."),
    "Unknown department.": _("Choose a department from the list."),
    "Answer: will publish, partially, refused or published.": _("Choose a decision from the list."),
    "A refusal or partial answer needs its legal ground.": _("A refusal or partial answer needs its legal ground."),
    "Name the published dataset.": _("Name the published dataset."),
    "Give the app's web address (https://…).": _("Give the app's web address (https://…)."),
    "Must be app, web or visualisation.": _("Choose a kind from the list."),
    "Some datasets do not exist.": _("Some datasets do not exist. Use the names in their addresses."),
    "Say why the app is not shown.": _("Say why the app is not shown."),
    "A document with this number already exists.": _("A document with this number already exists."),
    "A partly open or closed document needs its legal ground.": _(
        "A partly open or closed document needs its legal ground."
    ),
    "Give the date as YYYY-MM-DD.": _("Give the date as YYYY-MM-DD."),
    "Say why this may stay public.": _("Say why this may stay public."),
    "Say why the document is withdrawn.": _("Say why the document is withdrawn."),
    "This field cannot be changed.": _("This field cannot be changed."),
    # change notes the platform writes
    "scheduled refresh": _("scheduled refresh"),
    "export metadata": _("description updated from its source"),
    "published": _("published"),
    "deleted": _("deleted"),
    # upload reports
    "a quote is not closed properly": _("a quote is not closed properly"),
    "the line has characters that are not valid text": _("the line has characters that are not valid text"),
    "the primary key is empty": _("the primary key is empty"),
    "the primary key repeats an earlier row": _("the primary key repeats an earlier row"),
    "No row could be loaded.": _("No row could be loaded."),
    "The file is not a CSV text file.": _("The file is not a CSV text file."),
}

# Column types as people read them (Table Schema names are what the services store).
FIELD_TYPES: dict[str, Promise] = {
    "string": _("text"),
    "integer": _("whole number"),
    "number": _("number"),
    "boolean": _("yes or no"),
    "date": _("date"),
    "datetime": _("date and time"),
    "geopoint": _("location"),
}


def field_type(name: str) -> str:
    return str(FIELD_TYPES.get(name, name))


def _must_be_one_of(_m: re.Match[str]) -> str:
    return str(_("Choose one of the offered values."))


def _tag(m: re.Match[str]) -> str:
    return str(_("The tag “%(tag)s” may hold only letters, digits and - _ .") % {"tag": m.group(1)})


def _fields(m: re.Match[str]) -> str:
    found = m.group(2)
    if found.isdigit():
        return str(_("expected %(n)s fields, found %(found)s") % {"n": m.group(1), "found": found})
    if found == "more":
        return str(_("expected %(n)s fields, found more") % {"n": m.group(1)})
    return str(_("expected %(n)s fields, found fewer") % {"n": m.group(1)})


def _not_valid(m: re.Match[str]) -> str:
    return str(_("%(value)s is not a valid %(type)s") % {"value": m.group(1), "type": field_type(m.group(2))})


def _key_missing(m: re.Match[str]) -> str:
    return str(_("The primary key column(s) %(columns)s are missing from the file.") % {"columns": m.group(1)})


def _too_many_bad(m: re.Match[str]) -> str:
    return str(
        _("%(bad)s of %(total)s rows are bad (more than %(share)s); fix the file and upload it again.")
        % {"bad": m.group(1), "total": m.group(2), "share": m.group(3)}
    )


def _unreadable(m: re.Match[str]) -> str:
    return str(_("%(name)s: not readable automatically; check it by hand") % {"name": m.group(1)})


_PATTERNS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"^Must be one of .*\.$"), _must_be_one_of),
    (re.compile(r'^Tag "(.*)" must be alphanumeric characters or symbols: -_\.$'), _tag),
    (re.compile(r"^expected (\d+) fields, found (\d+|more|fewer)$"), _fields),
    (re.compile(r"^(.*) is not a valid ([a-z]+)$", re.DOTALL), _not_valid),
    (re.compile(r"^The primary key column\(s\) (.*) are missing from the file\.$"), _key_missing),
    (
        re.compile(r"^(\d+) of (\d+) rows are bad \(more than (\d+%)\); fix the file and upload it again\.$"),
        _too_many_bad,
    ),
    (re.compile(r"^(.*): not readable automatically; check it by hand$"), _unreadable),
]


def message(text: Any) -> str:
    """A stored or service message in the page's language; an unknown one as it is."""
    text = str(text)
    known = _MESSAGES.get(text)
    if known is not None:
        return str(known)
    for pattern, word in _PATTERNS:
        m = pattern.match(text)
        if m:
            return word(m)
    return text


def error_items(errors: Mapping[str, list[Any]], ids: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """Field errors for an error summary: the control's id to link to, its label, the messages."""
    ids = ids or {}
    return [
        {
            "field": key,
            "id": ids.get(key, key),
            "label": str(FIELD_LABELS.get(key, "")),
            "messages": [message(m) for m in msgs],
        }
        for key, msgs in errors.items()
    ]


def joined(errors: Mapping[str, list[Any]]) -> str:
    """Field errors as one sentence (for a single-message notice)."""
    return " ".join(
        f"{item['label']}: {m}" if item["label"] else m for item in error_items(errors) for m in item["messages"]
    )


LEGAL_GROUNDS_EN: dict[str, str] = {
    "art9-1-1": "Official Information Disclosure Act, Article 9(1)1 (secret under another law)",
    "art9-1-2": "Article 9(1)2 (national security, defence, unification, diplomacy)",
    "art9-1-3": "Article 9(1)3 (protection of life, body and property)",
    "art9-1-4": "Article 9(1)4 (trials and investigations)",
    "art9-1-5": "Article 9(1)5 (audits, inspections, tests and decisions in progress)",
    "art9-1-6": "Article 9(1)6 (personal matters, privacy)",
    "art9-1-7": "Article 9(1)7 (trade secrets of companies)",
    "art9-1-8": "Article 9(1)8 (real-estate speculation, hoarding)",
}


def _english() -> bool:
    return (get_language() or "ko").startswith("en")


def legal_grounds() -> dict[str, str]:
    """The grounds for withholding information, worded in the page's language (the keys are stored)."""
    from .constants import LEGAL_GROUNDS

    return dict(LEGAL_GROUNDS_EN) if _english() else dict(LEGAL_GROUNDS)


def legal_ground(key: str) -> str:
    return legal_grounds().get(key, key)


def licence_title(lic: Licence) -> str:
    return lic.title if _english() else lic.title_ko


def licences() -> list[dict[str, str]]:
    return [{"id": lic.id, "title": licence_title(lic), "url": lic.url} for lic in LICENCES.values()]
