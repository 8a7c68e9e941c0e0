"""Where a form or link may send a person next: only to a page of this site.

Every redirect whose target comes from the request (`?next=`, a form's hidden `next`) goes through
`safe_next`; a target that could leave the site (`//evil.example`, `https://evil.example`,
`/\\evil.example`, `\\\\evil`, `javascript:…`, anything with control characters or spaces) is
replaced by the page's safe default. Links that send a person to sign in carry the current page
through `login_url`, URL-encoded.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

MAX_TARGET = 2000


def local_path(target: object) -> str | None:
    """`target` if it is a path on this site (starts with one slash), else None."""
    if not isinstance(target, str) or not target or len(target) > MAX_TARGET:
        return None
    if not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if "\\" in target or any(ord(ch) < 0x21 or ord(ch) == 0x7F or ch.isspace() for ch in target):
        return None
    if not url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        return None
    return target


def safe_next(request: HttpRequest, default: str = "/", *, param: str = "next") -> str:
    """The request's `next` (form field first, then query), if it stays on this site; else `default`."""
    target = request.POST.get(param) or request.GET.get(param)
    return local_path(target) or default


def login_url(request: HttpRequest, view: str = "accounts:login") -> str:
    """The sign-in (or another accounts) page that returns to the current page afterwards."""
    return f"{reverse(view)}?{urlencode({'next': request.get_full_path()})}"
