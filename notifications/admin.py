from django.contrib import admin

from notifications.models import FanOut, Message, Suppression


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["pk", "purpose", "subject_key", "channel", "state", "attempts", "queued_at"]
    list_filter = ["state", "channel", "purpose"]
    search_fields = ["subject_key", "recipient", "provider_id"]
    readonly_fields = [field.name for field in Message._meta.fields]


@admin.register(Suppression)
class SuppressionAdmin(admin.ModelAdmin):
    list_display = ["recipient", "scope", "created_at"]
    search_fields = ["recipient", "scope"]


@admin.register(FanOut)
class FanOutAdmin(admin.ModelAdmin):
    list_display = ["key", "status", "steps", "enqueued", "updated_at"]
    list_filter = ["status"]
    readonly_fields = [field.name for field in FanOut._meta.fields]
