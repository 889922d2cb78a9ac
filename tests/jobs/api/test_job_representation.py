"""The job serializer builds its JSON directly (jobs/api/serializers.py, for speed); it must
give exactly what DRF's field-by-field representation of the same declared fields gives,
for every state a job can be in and for the owner and a visitor with the share link."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework import serializers
from rest_framework.test import APIRequestFactory

from jobs.api.serializers import JobSerializer
from jobs.models import JobStatus, TrainingJob
from tests.jobs.api.test_submit_lab_job import lab  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db


def drf_fields(job, context) -> dict:
    """DRF's own representation: every declared field's to_representation, in order."""
    return serializers.ModelSerializer.to_representation(JobSerializer(context=context), job)


@pytest.fixture
def jobs(user, moons_config, lab):  # noqa: F811 - the fixture imported above
    start = timezone.now() - dt.timedelta(minutes=3)
    return [
        TrainingJob.objects.create(owner=user, config=moons_config),
        TrainingJob.objects.create(
            owner=user, config=moons_config, lab=lab, status=JobStatus.SUCCEEDED,
            started_at=start, finished_at=start + dt.timedelta(seconds=41.5), last_seq=57,
            result={"n_params": 370, "val_accuracy": 0.9}, shared=True,
            share_token="abcdefghijklmnopqrstuvwx"),
        TrainingJob.objects.create(
            owner=user, config=moons_config, status=JobStatus.FAILED, error="Out of time.",
            cancel_requested=True, started_at=start.replace(microsecond=0)),
    ]


@pytest.mark.parametrize("by_share_link", [False, True])
@pytest.mark.parametrize("with_request", [True, False])
def test_the_direct_representation_is_drfs(jobs, by_share_link, with_request):
    request = APIRequestFactory().get("/api/v1/jobs/")
    context = {"viewed_by_share_link": by_share_link}
    if with_request:
        context["request"] = request
    for job in jobs:
        job = TrainingJob.objects.get(pk=job.pk)  # as read from the database
        direct = JobSerializer(job, context=dict(context)).data
        assert direct == drf_fields(job, dict(context))
        assert list(direct) == JobSerializer.Meta.fields


def test_a_list_is_the_same_items(jobs, user):
    request = APIRequestFactory().get("/api/v1/jobs/")
    rows = JobSerializer(TrainingJob.objects.order_by("pk"), many=True,
                         context={"request": request}).data
    assert rows == [drf_fields(job, {"request": request})
                    for job in TrainingJob.objects.order_by("pk")]
