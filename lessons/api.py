"""The challenges API: a learner's challenges and their status, graded from their own runs."""

from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from dlplatform.api_errors import invalid
from lessons.challenge_views import status_text, uncounted_text
from lessons.challenges import (
    ChallengeStatus,
    allowed_fields,
    challenge_statuses,
    challenges_of,
    goal_text,
)
from lessons.selectors import lessons_visible_to


class ConditionSerializer(serializers.Serializer):
    metric = serializers.CharField(help_text="A number of the run's summary (job.result).")
    op = serializers.ChoiceField(choices=[">=", ">", "<=", "<"])
    value = serializers.FloatField()


class GoalSerializer(ConditionSerializer):
    max_params = serializers.IntegerField(allow_null=True)
    also = ConditionSerializer(allow_null=True, help_text="A second condition the run must "
                               "also meet (e.g. an accuracy floor beside a fairness gap).")
    text = serializers.CharField(help_text="The goal in words.")


class RunRefSerializer(serializers.Serializer):
    job = serializers.IntegerField()
    value = serializers.FloatField(allow_null=True)
    url = serializers.CharField()


class UncountedRunSerializer(serializers.Serializer):
    job = serializers.IntegerField()
    message = serializers.CharField()
    reasons = serializers.DictField(
        child=serializers.CharField(), help_text="Why it does not count, by config path."
    )


class ChallengeStatusSerializer(serializers.Serializer):
    passed = serializers.BooleanField()
    runs_counted = serializers.IntegerField()
    summary = serializers.CharField()
    best = RunRefSerializer(allow_null=True, help_text="The counted run nearest the goal.")
    latest_uncounted = UncountedRunSerializer(
        allow_null=True, help_text="The learner's newest run of the lab, when it does not count."
    )


class ChallengeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    lab = serializers.IntegerField(help_text='Submit runs with "lab": this id to take part.')
    lab_title = serializers.CharField()
    lesson_url = serializers.CharField()
    goal = GoalSerializer()
    allowed = serializers.DictField(help_text="Fields the learner may change, with bounds.")
    status = ChallengeStatusSerializer()


def challenge_data(status: ChallengeStatus, request) -> dict:
    challenge, best, uncounted = status.challenge, status.best, status.latest_uncounted
    lesson = challenge.lab.lesson

    def run_url(job_id: int) -> str:
        return request.build_absolute_uri(reverse("run-detail", args=[job_id]))

    return {
        "id": challenge.pk,
        "lab": challenge.lab_id,
        "lab_title": challenge.lab.title,
        "lesson_url": request.build_absolute_uri(
            reverse("lesson-detail", args=[lesson.module.course.slug, lesson.slug])
        ),
        "goal": {"metric": challenge.metric, "op": challenge.op, "value": challenge.target,
                 "max_params": challenge.max_params, "text": goal_text(challenge),
                 "also": {"metric": challenge.also_metric, "op": challenge.also_op,
                          "value": challenge.also_target} if challenge.also_metric else None},
        "allowed": allowed_fields(challenge),
        "status": {
            "passed": status.passed,
            "runs_counted": status.runs_counted,
            "summary": status_text(status),
            "best": {"job": best.job.pk, "value": best.value, "url": run_url(best.job.pk)}
            if best else None,
            "latest_uncounted": {"job": uncounted.job.pk, "message": uncounted_text(status),
                                 "reasons": uncounted.reasons} if uncounted else None,
        },
    }


def _visible_challenges(user):
    return challenges_of().filter(lab__lesson__in=lessons_visible_to(user=user))


class ChallengeList(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("lab", int, description="Only this lab's challenge.")],
        responses=ChallengeSerializer(many=True),
    )
    def get(self, request):
        """The challenges you can take, each with your status."""
        challenges = _visible_challenges(request.user)
        lab = request.query_params.get("lab")
        if lab is not None:
            if not lab.isdigit():
                raise invalid({"lab": "Must be a lab id (a positive integer)."})
            challenges = challenges.filter(lab_id=int(lab))
        challenges = list(challenges)
        statuses = challenge_statuses(users=[request.user], challenges=challenges)
        return Response([challenge_data(statuses[(request.user.pk, c.pk)], request)
                         for c in challenges])


class ChallengeDetail(APIView):
    @extend_schema(responses={
        200: ChallengeSerializer,
        404: OpenApiResponse(description="No such challenge (or its lesson is not visible)."),
    })
    def get(self, request, challenge_id: int):
        """One challenge with your status: passed, your best counted run, and why your
        latest run does not count (when it does not)."""
        challenge = _visible_challenges(request.user).filter(pk=challenge_id).first()
        if challenge is None:
            raise Http404("No such challenge.")
        status = challenge_statuses(users=[request.user], challenges=[challenge])
        return Response(challenge_data(status[(request.user.pk, challenge.pk)], request))
