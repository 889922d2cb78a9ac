from django.contrib import admin

from training_worker.models import JobEvent, TrainingJob


@admin.register(TrainingJob)
class TrainingJobAdmin(admin.ModelAdmin):
    list_display = ["id", "owner", "status", "lab", "created_at", "finished_at"]
    list_filter = ["status", "lab"]
    search_fields = ["owner__username", "id"]
    date_hierarchy = "created_at"
    # Jobs change only through the services (status machine, event sequence): read-only here.
    readonly_fields = [f.name for f in TrainingJob._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(JobEvent)
class JobEventAdmin(admin.ModelAdmin):
    list_display = ["job", "seq", "type", "created_at"]
    list_filter = ["type"]
    search_fields = ["job__id"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
