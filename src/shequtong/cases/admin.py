"""The category tree in the Django admin (superusers' configuration): names, deadlines, and
whether a category's cases may be shown on public surfaces (公开)."""

from __future__ import annotations

from django.contrib import admin

from .models import Category, CategoryAttribute


class AttributeInline(admin.TabularInline):
    model = CategoryAttribute
    extra = 0


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "parent", "kind", "handler_level", "deadline_days", "public")
    list_editable = ("public",)
    list_filter = ("kind", "public", "active")
    search_fields = ("code", "name", "keywords")
    inlines = (AttributeInline,)
