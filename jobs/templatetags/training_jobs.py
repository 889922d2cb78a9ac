from django import template

from jobs.selectors import jobs_visible_to

register = template.Library()


@register.inclusion_tag("jobs/_recent_runs.html", takes_context=True)
def recent_runs(context, limit: int = 5) -> dict:
    user = context["request"].user
    jobs = list(jobs_visible_to(user=user).select_related("lab")
                .only("id", "status", "config", "result", "lab__title")[:limit])
    # Each with its accuracy: a run that failed has none, which the page must not look up.
    return {"runs": [(job, job.result.get("val_accuracy")) for job in jobs]}
