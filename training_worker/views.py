"""Pages for a learner's training runs."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from training_worker import selectors
from training_worker.api.serializers import JobSerializer


@login_required
def my_runs(request):
    jobs = selectors.jobs_visible_to(user=request.user).select_related("lab__lesson")[:200]
    return render(request, "training_worker/my_runs.html", {"jobs": jobs})


@login_required
def run_detail(request, job_id: int):
    job = selectors.job_for_user(user=request.user, job_id=job_id)
    if job is None:
        raise Http404("No such run.")
    job_data = JobSerializer(job, context={"request": request}).data
    return render(request, "training_worker/run_detail.html", {"job": job, "job_data": job_data})
