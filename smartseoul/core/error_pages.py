"""What each refusal status means to a reader, in their language: one table for the platform's
error pages (`views`) and for domain refusals whose own message has no translation yet
(`middleware`)."""

from __future__ import annotations

from typing import Any, NamedTuple

from django.utils.translation import gettext_lazy as _


class ErrorPage(NamedTuple):
    code: str
    heading: Any
    text: Any
    api_message: str


PAGES: dict[int, ErrorPage] = {
    400: ErrorPage(
        "bad_request",
        _("We could not read that request"),
        _("The address or the form sent was not valid. Go back and try again."),
        "The request is not valid.",
    ),
    403: ErrorPage(
        "forbidden",
        _("You may not open this page"),
        _("Your account does not have access to it. Sign in with an account that does, or go back."),
        "You may not use this operation.",
    ),
    404: ErrorPage(
        "not_found",
        _("We could not find this page"),
        _("The address may be mistyped, or the page has moved or been removed."),
        "No such resource.",
    ),
    500: ErrorPage(
        "server_error",
        _("Something went wrong on our side"),
        _("The error has been recorded. Please try again in a moment."),
        "The server could not complete the request.",
    ),
}

_MORE_TEXTS = {
    409: _("This cannot be done in the current state. Reload the page and try again."),
    429: _("Too many requests; please wait a little and try again."),
}


def reader_text(status: int) -> Any:
    """What a refusal with this status means, for a reader (a bad request when unknown)."""
    page = PAGES.get(status)
    return page.text if page else _MORE_TEXTS.get(status, PAGES[400].text)
