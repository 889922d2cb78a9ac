"""Reads of training jobs, and the one place that decides who may see which job."""

from django.db.models import Max, Q, QuerySet

from dlplatform.instructors import learners_readable_by
from training_worker.models import JobEvent, TrainingJob


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


def job_for_user(*, user, job_id: int) -> TrainingJob | None:
    """The job if this user may see it; None otherwise, so callers answer 404 either way."""
    return jobs_visible_to(user=user).filter(pk=job_id).first()


def job_viewable_by(*, user, job_id: int) -> TrainingJob | None:
    """The job if this user (or an anonymous visitor) may view it read-only: its page,
    stream, history and exports. Owners see theirs; anyone sees a run its owner shared;
    a class instructor sees the runs of their classes' learners (dlplatform.instructors).
    Changing a job (share, cancel, deploy) stays with its owner: job_for_user."""
    visible = Q(shared=True)
    if user.is_authenticated:
        visible |= Q(owner=user) | learners_readable_by(user, via="owner")
    return TrainingJob.objects.filter(visible, pk=job_id).first()


def job_events_after(*, job_id: int, after_seq: int, limit: int | None = None) -> list[dict]:
    events = JobEvent.objects.filter(job_id=job_id, seq__gt=after_seq).order_by("seq")
    if limit is not None:
        events = events[:limit]
    return [
        {"seq": seq, "type": type_, "payload": payload}
        for seq, type_, payload in events.values_list("seq", "type", "payload")
    ]
