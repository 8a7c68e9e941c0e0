"""Sign-up, sign-in (with officials' second factor), phone and resident verification, API keys."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from smartseoul.core import ratelimit
from smartseoul.core.errors import DomainError
from smartseoul.core.redirects import safe_next

from . import selectors, services
from .forms import ApiKeyForm, CodeForm, LoginForm, PhoneForm, ResidentForm, SignupForm
from .models import ApiScope
from .policy import SECOND_FACTOR_SESSION_KEY, second_factor_page, second_factor_passed, second_factor_pending


def _next(request: HttpRequest, default: str = "/") -> str:
    return safe_next(request, default)


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ratelimit.hit(f"signup:{ratelimit.client_ip(request)}", limit=20, window_seconds=3600)
        try:
            user = services.user_register(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                email=form.cleaned_data["email"],
                language=request.LANGUAGE_CODE,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome! Verify your phone to report and vote."))
            return redirect("accounts:phone")
    return render(request, "accounts/signup.html", {"form": form})


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        try:
            # per address (whatever accounts it tries), then per account (wherever the guesses come from)
            ratelimit.hit(
                f"login:{ratelimit.client_ip(request)}",
                limit=settings.LOGIN_MAX_PER_ADDRESS,
                window_seconds=300,
                message=_("Too many sign-in attempts from your network. Please wait a few minutes and try again."),
            )
            services.login_check_lock(username=username)
        except DomainError as exc:
            form.add_error(None, exc.message)
            response = render(request, "accounts/login.html", {"form": form}, status=exc.status)
            if exc.details.get("retry_after") is not None:
                response["Retry-After"] = str(exc.details["retry_after"])
            return response
        user = authenticate(request, username=username, password=form.cleaned_data["password"])
        if user is None:
            services.login_failed(username=username, request=request)
            form.add_error(None, _("The user name or password is not right."))
        else:
            login(request, user)
            services.login_succeeded(user=user, request=request)  # type: ignore[arg-type]
            if user.is_staff_role:  # type: ignore[union-attr]
                return redirect(f"/accounts/second-factor/?{urlencode({'next': _next(request, '/office/')})}")
            return redirect(_next(request))
    return render(request, "accounts/login.html", {"form": form, "next": _next(request, "")})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("home")


@login_required
@require_http_methods(["GET", "POST"])
def second_factor(request: HttpRequest) -> HttpResponse:
    """The second factor; on first use, the set-up of the authenticator with the key kept pending
    across page loads until a code confirms it."""
    user = request.user
    form = CodeForm(request.POST or None)
    if not user.totp_confirmed:  # type: ignore[union-attr]
        # idempotent: the pending key stays the same across page loads until a code confirms it
        services.totp_begin(user=user)  # type: ignore[arg-type]
    if request.method == "POST" and form.is_valid():
        try:
            ratelimit.hit(f"totp:{user.pk}", limit=10, window_seconds=300)
            services.totp_verify(user=user, code=form.cleaned_data["code"], request=request)  # type: ignore[arg-type]
        except DomainError as exc:
            form.add_error("code", exc.message)
        else:
            request.session.cycle_key()
            request.session[SECOND_FACTOR_SESSION_KEY] = True
            return redirect(_next(request, "/office/"))
    return render(
        request,
        "accounts/second_factor.html",
        {"form": form, "setup": selectors.totp_setup(user), "next": _next(request, "/office/")},  # type: ignore[arg-type]
    )


@login_required
@require_http_methods(["GET", "POST"])
def phone(request: HttpRequest) -> HttpResponse:
    phone_form = PhoneForm(request.POST if "phone" in request.POST else None)
    code_form = CodeForm(request.POST if "code" in request.POST else None)
    sent = bool(request.user.phone_pending_encrypted)  # type: ignore[union-attr]
    if request.method == "POST":
        try:
            if "phone" in request.POST and phone_form.is_valid():
                ratelimit.hit(f"sms:{ratelimit.client_ip(request)}", limit=10, window_seconds=3600)
                services.phone_challenge_start(user=request.user, phone=phone_form.cleaned_data["phone"])  # type: ignore[arg-type]
                messages.info(request, _("We sent a 6-digit code by text message."))
                after = _next(request, "")  # keep where the person was going (a vote, a report …)
                return redirect(f"{request.path}?{urlencode({'next': after})}" if after else "accounts:phone")
            if "code" in request.POST and code_form.is_valid():
                services.phone_challenge_confirm(user=request.user, code=code_form.cleaned_data["code"])  # type: ignore[arg-type]
                messages.success(request, _("Your phone is verified."))
                return redirect(_next(request, "/accounts/profile/"))
        except DomainError as exc:
            (code_form if "code" in request.POST else phone_form).add_error(None, exc.message)
    context = {"phone_form": phone_form, "code_form": code_form, "sent": sent, "dev_outbox": not settings.PRODUCTION}
    return render(request, "accounts/phone.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def resident(request: HttpRequest) -> HttpResponse:
    form = ResidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ratelimit.hit(f"resident:{request.user.pk}", limit=10, window_seconds=3600)
            services.resident_verify(user=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("You are verified as a resident."))
            return redirect(_next(request, "/accounts/profile/"))
    return render(request, "accounts/resident.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    form = ApiKeyForm(request.POST or None, scopes=selectors.api_key_scopes_for(request.user))  # type: ignore[arg-type]
    new_key = None
    if request.method == "POST" and second_factor_pending(request.user):
        return second_factor_page(request)  # a staff account makes keys only after its second factor
    if request.method == "POST" and form.is_valid():
        try:
            ratelimit.hit(f"apikey:{request.user.pk}", limit=10, window_seconds=3600)
            _key, new_key = services.api_key_create(
                owner=request.user,  # type: ignore[arg-type]
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                second_factor=second_factor_passed(request),
                request=request,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
    labels = dict(ApiScope.choices)
    keys = [
        (k, selectors.api_key_calls_today(k), [labels[s] for s in k.scopes if s in labels])
        for k in selectors.api_keys(request.user)  # type: ignore[arg-type]
    ]
    context = {"form": form, "new_key": new_key, "keys": keys}
    return render(request, "accounts/profile.html", context)


@login_required
@require_POST
def key_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.api_key_revoke(owner=request.user, key_id=pk, request=request)  # type: ignore[arg-type]
    except DomainError as exc:
        if exc.status in (403, 404):
            raise  # someone else's key: the error page
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The key is revoked: it no longer works."))
    return redirect(_next(request, "/accounts/profile/"))
