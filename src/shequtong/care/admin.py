"""What devices sent that could not be taken, for whoever inspects a broken device."""

from __future__ import annotations

from django.contrib import admin

from .models import DeadLetter


@admin.register(DeadLetter)
class DeadLetterAdmin(admin.ModelAdmin):
    list_display = ("received_at", "channel", "serial", "reason")
    list_filter = ("channel",)
    search_fields = ("serial", "reason")
    readonly_fields = ("received_at", "channel", "serial", "reason", "payload")

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
