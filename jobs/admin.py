from django.contrib import admin

from accounts.admin import LearnerWorkAdmin
from jobs.models import JobEvent, JobLimits, TrainingJob


@admin.register(TrainingJob)
class TrainingJobAdmin(LearnerWorkAdmin):
    list_display = ["id", "owner", "status", "lab", "created_at", "finished_at"]
    list_filter = ["status", "lab"]
    search_fields = ["owner__username", "id"]
    date_hierarchy = "created_at"
    # Jobs change only through the services (status machine, event sequence): read-only here.
    readonly_fields = [f.name for f in TrainingJob._meta.fields]
    learner_field = "owner"


@admin.register(JobEvent)
class JobEventAdmin(LearnerWorkAdmin):
    list_display = ["job", "seq", "type", "created_at"]
    list_filter = ["type"]
    search_fields = ["job__id"]
    learner_field = "job__owner"


@admin.register(JobLimits)
class JobLimitsAdmin(admin.ModelAdmin):
    list_display = [
        "__str__", "max_concurrent_jobs", "max_jobs_per_hour",
        "max_training_seconds_per_day", "max_queued_jobs", "max_sweep_runs",
    ]

    def has_add_permission(self, request) -> bool:
        return not JobLimits.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
