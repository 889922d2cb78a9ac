"""Classes in the admin: a class instructor sees and edits only the classes they teach."""

from django.contrib import admin
from django.contrib.auth.models import User

from classroom.models import Cohort, Membership


class MembershipInline(admin.TabularInline):
    """Learners join with the class code; here an instructor can only see and remove them
    (adding would need a list of every user of the site)."""

    model = Membership
    extra = 0
    fields = ["learner", "joined_at"]
    readonly_fields = ["learner", "joined_at"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ["name", "course", "join_code", "joining_open", "created_at"]
    list_filter = ["course", "joining_open"]
    search_fields = ["name", "join_code"]
    list_select_related = ["course"]
    filter_horizontal = ["instructors"]
    readonly_fields = ["created_at"]
    inlines = [MembershipInline]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if request.user.is_superuser else queryset.filter(
            instructors=request.user
        )

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "instructors":  # co-instructors are staff, never learners
            kwargs["queryset"] = User.objects.filter(is_staff=True).order_by("username")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        if not change and not request.user.is_superuser:
            form.instance.instructors.add(request.user)  # whoever creates a class teaches it


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["learner", "cohort", "joined_at"]
    list_filter = ["cohort"]
    search_fields = ["learner__username", "cohort__name"]
    list_select_related = ["learner", "cohort"]
    readonly_fields = ["learner", "cohort", "joined_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if request.user.is_superuser else queryset.filter(
            cohort__instructors=request.user
        )
