from django import template

from jobs.selectors import jobs_visible_to

register = template.Library()


@register.inclusion_tag("jobs/_recent_runs.html", takes_context=True)
def recent_runs(context, limit: int = 5) -> dict:
    user = context["request"].user
    return {"jobs": list(jobs_visible_to(user=user).select_related("lab")[:limit])}
