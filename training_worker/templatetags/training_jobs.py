from django import template

from training_worker.models import TrainingJob

register = template.Library()


@register.simple_tag
def latest_lab_job(lab, user) -> TrainingJob | None:
    """The learner's newest run of this lab, so a reloaded page picks it up again."""
    if not user.is_authenticated:
        return None
    return TrainingJob.objects.filter(owner=user, lab=lab).order_by("-created_at", "-id").first()


@register.inclusion_tag("training_worker/_recent_runs.html", takes_context=True)
def recent_runs(context, limit: int = 5) -> dict:
    from training_worker.selectors import jobs_visible_to

    user = context["request"].user
    return {"jobs": list(jobs_visible_to(user=user).select_related("lab")[:limit])}
