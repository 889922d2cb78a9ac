from django.contrib import admin

from accounts import tokens
from accounts.instructors import learners_readable_by
from accounts.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are made by their owners (account page, CLI login) and only revoked here: the
    key is never stored, and its hash is of no use to show."""

    list_display = ["name", "user", "prefix", "created", "last_used_at", "expires_at",
                    "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "created"]
    search_fields = ["user__username", "name", "prefix"]
    list_select_related = ["user"]
    fields = ["user", "name", "prefix", "created", "last_used_at", "expires_at", "revoked_at"]
    readonly_fields = fields
    actions = ["revoke"]

    @admin.action(description="Revoke selected tokens", permissions=["revoke"])
    def revoke(self, request, queryset) -> None:
        count = tokens.revoke_tokens(queryset)
        self.message_user(request, f"Revoked {count} token(s).")

    def has_revoke_permission(self, request) -> bool:
        return request.user.has_perm("dlplatform.change_apitoken")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # revoke instead: the row keeps who had access, and until when


class LearnerWorkAdmin(admin.ModelAdmin):
    """Learners' work (runs, events, attempts, progress): read-only, and narrowed to the
    learners the viewing user may read (a class instructor: their classes' learners; a
    site administrator: everyone). `learner_field` is the path to the learner."""

    learner_field = "owner"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(learners_readable_by(request.user, via=self.learner_field))

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser and super().has_delete_permission(request, obj)
