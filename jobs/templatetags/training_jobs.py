from django import template

from jobs.selectors import jobs_visible_to

register = template.Library()


@register.inclusion_tag("jobs/_recent_runs.html", takes_context=True)
def recent_runs(context, limit: int = 5) -> dict:
    user = context["request"].user
    jobs = list(jobs_visible_to(user=user).select_related("lab")
                .only("id", "status", "config", "result", "lab__title")[:limit])
    for job in jobs:  # a run that failed has no accuracy: not a lookup that fails in the page
        job.val_accuracy = job.result.get("val_accuracy")
    return {"jobs": jobs}
