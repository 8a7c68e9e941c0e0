from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import ApiKey, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "role", "verification", "department", "home_district", "is_active")
    list_filter = ("role", "verification", "is_active")
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        ("Smart Seoul", {"fields": ("role", "verification", "department", "home_district", "birth_year")}),
    )
    readonly_fields = ("verification",)


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "prefix", "daily_quota", "created_at", "revoked_at")
    readonly_fields = ("prefix", "key_hash", "created_at", "last_used_at")
