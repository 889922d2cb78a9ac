"""Reads of training jobs, and the one place that decides who may see which job."""

import re

from django.db.models import Max, Q, QuerySet

from accounts.instructors import learners_readable_by
from jobs.api.serializers import JobSerializer
from jobs.models import JobEvent, TrainingJob


def jobs_visible_to(*, user) -> QuerySet[TrainingJob]:
    if not user.is_authenticated:
        return TrainingJob.objects.none()
    return TrainingJob.objects.filter(owner=user)


def latest_job_ids_by_lab(*, user, labs) -> dict[int, int]:
    """Each lab's newest run by this learner, by lab id (one query), so a reloaded lesson
    page picks the runs up again. Newest by id: ids grow with creation time."""
    if not labs or not user.is_authenticated:
        return {}
    rows = (jobs_visible_to(user=user).filter(lab__in=labs).values("lab_id")
            .annotate(newest=Max("id")).values_list("lab_id", "newest"))
    return dict(rows)


def labs_run_by(*, user) -> list[dict]:
    """The labs the user ran, by title: {"id", "title"} each (the runs page's lab filter)."""
    rows = (TrainingJob.objects.filter(owner=user, lab__isnull=False)
            .values_list("lab_id", "lab__title").distinct().order_by("lab__title", "lab_id"))
    return [{"id": lab_id, "title": title} for lab_id, title in rows]


def job_body(*, job: TrainingJob, request) -> dict:
    """A job as the jobs API answers with it (GET /api/v1/jobs/{id}/), for an endpoint of
    another app that answers with a run it started (a prediction's run)."""
    return JobSerializer(job, context={"request": request}).data


def job_for_user(*, user, job_id: int) -> TrainingJob | None:
    """The job if this user may see it; None otherwise, so callers answer 404 either way."""
    return jobs_visible_to(user=user).filter(pk=job_id).first()


# What services.job_set_shared makes (secrets.token_urlsafe); anything else matches no run
# and is not sent to the database (a NUL byte, say, is an error there, not a mismatch).
_SHARE_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def _is_share_token(text: str | None) -> bool:
    return text is not None and _SHARE_TOKEN.fullmatch(text) is not None


def job_viewable_by(*, user, job_id: int, share_token: str | None = None) -> TrainingJob | None:
    """The job if this user (or an anonymous visitor) may view it read-only: its page,
    stream, history and exports. Owners see theirs; a class instructor sees the runs of their
    classes' learners (accounts.instructors); anyone else needs the run's share token,
    which exists only while its owner shares it (its id alone opens nothing). Changing a
    job (share, cancel, deploy) stays with its owner: job_for_user."""
    visible = Q(pk__in=[])
    if user.is_authenticated:
        visible = Q(owner=user) | learners_readable_by(user, via="owner")
    if _is_share_token(share_token):
        visible |= Q(shared=True, share_token=share_token)
    return TrainingJob.objects.filter(visible, pk=job_id).first()


def job_shared_at(*, share_token: str) -> TrainingJob | None:
    """The run shared under this token, if its owner still shares it."""
    if not _is_share_token(share_token):
        return None
    return TrainingJob.objects.filter(shared=True, share_token=share_token).first()


def job_events_after(*, job_id: int, after_seq: int, limit: int | None = None) -> list[dict]:
    events = JobEvent.objects.filter(job_id=job_id, seq__gt=after_seq).order_by("seq")
    if limit is not None:
        events = events[:limit]
    return [
        {"seq": seq, "type": type_, "payload": payload}
        for seq, type_, payload in events.values_list("seq", "type", "payload")
    ]
