from django.contrib import admin

from .models import AuditEvent, City, Department, District, Neighborhood, Notification


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    list_display = ("name_ko", "name_en", "open311_jurisdiction")


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ("code", "name_ko", "name_en", "boundary_source")
    exclude = ("boundary",)


@admin.register(Neighborhood)
class NeighborhoodAdmin(admin.ModelAdmin):
    list_display = ("code", "name_ko", "district", "boundary_source")
    list_filter = ("district",)
    exclude = ("boundary",)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name_ko", "district")
    list_filter = ("district",)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "recipient", "channel", "kind", "status", "attempts")
    list_filter = ("channel", "status")


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "actor_label", "action", "target_type", "target_id", "ip")
    list_filter = ("action",)

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
