"""The predictions API: a lab's predict-then-run questions, and a learner's own predictions.

A learner sees only their own predictions (another's is a 404, as if it did not exist). A
prediction is made once and never changed: a second one for the same question is a 409, and
there is no method to edit or withdraw one.
"""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.response import Response
from rest_framework.views import APIView

from dlplatform.api_errors import Conflict, StrictFieldsMixin, invalid, retry_later
from engine import ConfigError
from jobs import selectors as job_selectors
from jobs import services as job_services
from lessons import prediction_services as services
from lessons.prediction_models import Prediction, PredictionKind, PredictionQuestion
from lessons.prediction_rules import OUTCOMES
from lessons.predictions import (
    given_text,
    judge,
    outcome_text,
    predictions_of,
    questions_of,
    range_text,
    value_text,
)
from lessons.selectors import lessons_visible_to

# The jobs API documents the job this answers with (lessons do not import that API).
JOB_SCHEMA = {"$ref": "#/components/schemas/Job"}


class PredictionConflict(Conflict):
    """A 409 that names the field, in the API's one error shape."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.fields = {field: message}


class ChoiceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    low = serializers.FloatField(allow_null=True, help_text="The run's number is at least this.")
    high = serializers.FloatField(allow_null=True, help_text="The run's number is below this.")
    range = serializers.CharField(help_text="The range in words.")


class OutcomeSerializer(serializers.Serializer):
    state = serializers.CharField(help_text='"no_run", or the status of the run that settles it.')
    value = serializers.FloatField(allow_null=True, help_text="The run's number, once it ran.")
    value_text = serializers.CharField(help_text="The number as the page shows it.")
    choice = serializers.IntegerField(allow_null=True, help_text="The range the number fell in.")
    right = serializers.BooleanField(allow_null=True, help_text="null until the run succeeded.")
    summary = serializers.CharField()
    explanation_html = serializers.CharField(help_text="Empty until the run settled it.")


class PredictionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    question = serializers.IntegerField()
    lab = serializers.IntegerField()
    choice = serializers.IntegerField(allow_null=True)
    value = serializers.FloatField(allow_null=True)
    given = serializers.CharField(help_text="What you predicted, in words.")
    created_at = serializers.DateTimeField()
    job = serializers.IntegerField(allow_null=True, help_text="The run that settles it.")
    urls = serializers.DictField(child=serializers.CharField())
    outcome = OutcomeSerializer()


class QuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    lab = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=PredictionKind.values)
    prompt = serializers.CharField()
    run_changes = serializers.DictField(help_text="What the run changes from the lab's preset.")
    outcome = serializers.CharField(help_text="The number of the run's summary that settles it.")
    outcome_label = serializers.CharField()
    tolerance = serializers.FloatField()
    choices = ChoiceSerializer(many=True)
    prediction = PredictionSerializer(allow_null=True, help_text="Yours, if you made one.")


class PredictionMakeSerializer(StrictFieldsMixin, serializers.Serializer):
    question = serializers.IntegerField(min_value=1)
    choice = serializers.IntegerField(required=False, help_text="Range questions.")
    value = serializers.FloatField(required=False, help_text="Estimate questions.")


def prediction_data(prediction: Prediction, request) -> dict:
    outcome = judge(prediction)
    url = request.build_absolute_uri(reverse("api-prediction-detail", args=[prediction.pk]))
    return {
        "id": prediction.pk,
        "question": prediction.question_id,
        "lab": prediction.question.lab_id,
        "choice": prediction.choice_id,
        "value": prediction.value,
        "given": given_text(prediction),
        "created_at": prediction.created_at,
        "job": prediction.job_id,
        "urls": {
            "self": url,
            "run": request.build_absolute_uri(reverse("api-prediction-run",
                                                      args=[prediction.pk])),
            **({"job": request.build_absolute_uri(reverse("api-job-detail",
                                                          args=[prediction.job_id]))}
               if prediction.job_id else {}),
        },
        "outcome": {
            "state": outcome.state,
            "value": outcome.value,
            "value_text": value_text(outcome.value),
            "choice": outcome.choice.pk if outcome.choice else None,
            "right": outcome.right,
            "summary": outcome_text(outcome),
            "explanation_html": prediction.question.explanation_html if outcome.settled else "",
        },
    }


def question_data(question: PredictionQuestion, prediction: Prediction | None, request) -> dict:
    return {
        "id": question.pk,
        "lab": question.lab_id,
        "kind": question.kind,
        "prompt": question.prompt,
        "run_changes": question.run_changes,
        "outcome": question.outcome,
        "outcome_label": OUTCOMES.get(question.outcome, question.outcome),
        "tolerance": question.tolerance,
        "choices": [{"id": c.pk, "text": c.text, "low": c.low, "high": c.high,
                     "range": range_text(c)} for c in question.choices.all()],
        "prediction": prediction_data(prediction, request) if prediction else None,
    }


def _visible_questions(user):
    return questions_of().filter(lab__lesson__in=lessons_visible_to(user=user))


def _lab_filter(request) -> int | None:
    lab = request.query_params.get("lab")
    if lab is None:
        return None
    if not lab.isdigit():
        raise invalid({"lab": "Must be a lab id (a positive integer)."})
    return int(lab)


class PredictionQuestionList(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("lab", int, description="Only this lab's questions.")],
        responses=QuestionSerializer(many=True),
    )
    def get(self, request):
        """The predict-then-run questions you can answer, each with your prediction."""
        questions = _visible_questions(request.user)
        lab = _lab_filter(request)
        if lab is not None:
            questions = questions.filter(lab_id=lab)
        mine = {p.question_id: p for p in predictions_of(user=request.user)
                .filter(question__in=questions)}
        return Response([question_data(q, mine.get(q.pk), request) for q in questions])


class PredictionListCreate(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("lab", int, description="Only this lab's predictions.")],
        responses=PredictionSerializer(many=True),
    )
    def get(self, request):
        """Your predictions, newest first, each with the outcome of its run."""
        predictions = predictions_of(user=request.user)
        lab = _lab_filter(request)
        if lab is not None:
            predictions = predictions.filter(question__lab_id=lab)
        return Response([prediction_data(p, request) for p in predictions])

    @extend_schema(
        request=PredictionMakeSerializer,
        responses={
            201: PredictionSerializer,
            400: OpenApiResponse(description="No such question, or no valid choice / number."),
            409: OpenApiResponse(description="You already predicted this: it is locked."),
        },
    )
    def post(self, request):
        """Make a prediction, before the run: `choice` (a range question's choice id) or
        `value` (an estimate). It is locked from then on. Then start its run with
        `POST urls.run`."""
        given = PredictionMakeSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        question = _visible_questions(request.user).filter(pk=data["question"]).first()
        if question is None:
            raise invalid({"question": "No such question."})
        try:
            prediction = services.prediction_make(
                user=request.user, question=question, choice_id=data.get("choice"),
                value=data.get("value"),
            )
        except services.PredictionLocked as exc:
            raise PredictionConflict(str(exc), field="question") from exc
        except ValidationError as exc:
            raise invalid({k: " ".join(v) for k, v in exc.message_dict.items()}) from exc
        prediction = predictions_of(user=request.user).get(pk=prediction.pk)
        body = prediction_data(prediction, request)
        return Response(body, status=status.HTTP_201_CREATED,
                        headers={"Location": body["urls"]["self"]})


def _own_or_404(request, prediction_id: int) -> Prediction:
    prediction = predictions_of(user=request.user).filter(pk=prediction_id).first()
    if prediction is None:
        raise Http404("No such prediction.")
    return prediction


class PredictionDetail(APIView):
    @extend_schema(responses={200: PredictionSerializer,
                              404: OpenApiResponse(description="No such prediction of yours.")})
    def get(self, request, prediction_id: int):
        """One of your predictions, with the outcome of its run and (once settled) the
        explanation."""
        return Response(prediction_data(_own_or_404(request, prediction_id), request))

    def http_method_not_allowed(self, request, *args, **kwargs):
        raise MethodNotAllowed(request.method, detail="A prediction is locked once made: it "
                               "cannot be changed or withdrawn.")


class PredictionRun(APIView):
    @extend_schema(
        request=None,
        responses={
            201: OpenApiResponse(JOB_SCHEMA, description="The run, as the jobs API shows it."),
            404: OpenApiResponse(description="No such prediction of yours."),
            409: OpenApiResponse(description="Its run is training or has settled it."),
            429: OpenApiResponse(description="A per-learner limit; see Retry-After."),
            503: OpenApiResponse(description="The queue is full; see Retry-After."),
        },
    )
    def post(self, request, prediction_id: int):
        """Start the run that settles your prediction: the question's lab with its changes,
        as a run of the lab. Again only when the last one failed or was cancelled."""
        prediction = _own_or_404(request, prediction_id)
        try:
            job = services.prediction_run(prediction=prediction)
        except services.RunConflict as exc:
            raise PredictionConflict(str(exc), field="job") from exc
        except ConfigError as exc:  # the lab changed since the question was written
            raise invalid({"config": exc.errors}) from exc
        except (job_services.LimitReached, job_services.QueueFull) as exc:
            raise retry_later(exc) from exc
        body = job_selectors.job_body(job=job, request=request)
        return Response(body, status=status.HTTP_201_CREATED,
                        headers={"Location": body["urls"]["self"]})
