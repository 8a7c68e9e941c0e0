"""Reads of the accounts module."""

from __future__ import annotations

from django.db.models import QuerySet, Sum

from smartseoul.core import clock

from .models import ApiKey, ApiKeyUsage, Role, User


def officials_of(department_id: int) -> QuerySet[User]:
    return User.objects.filter(department_id=department_id, is_active=True).exclude(role=Role.CITIZEN)


def user_by_username(username: str) -> User | None:
    return User.objects.filter(username__iexact=username).first()


def api_keys(owner: User) -> QuerySet[ApiKey]:
    return ApiKey.objects.filter(owner=owner)


def api_key_calls_today(key: ApiKey) -> int:
    today = clock.today_local().date()
    return ApiKeyUsage.objects.filter(key=key, day=today).aggregate(n=Sum("calls"))["n"] or 0
