"""The sweeps API (instructors and content authors only): start a sweep of a lab, list your
sweeps, read one with each grid point's mean ± std. A sweep you did not start is a 404."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from classroom import services, sweep_selectors
from classroom.sweeps import SweepInvalid
from dlplatform.api_errors import invalid, retry_later
from engine import ConfigError
from jobs import limits
from jobs.api.serializers import StrictFieldsMixin

NOT_A_SWEEPER = OpenApiResponse(description="Only instructors and content authors sweep.")


class MaySweep(BasePermission):
    message = "Only instructors and content authors can run sweeps."

    def has_permission(self, request, view) -> bool:
        return sweep_selectors.may_sweep(request.user)


class SweepCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    lab = serializers.IntegerField(help_text="The lab whose preset the sweep runs.")
    grid = serializers.JSONField(
        help_text='One or two of the lab\'s tunable fields → lists of values, e.g. '
        '{"optim.lr": [0.01, 0.1]}. Each value must be within the lab\'s bounds.')
    seeds = serializers.JSONField(
        help_text="How many seeds each grid point runs with (3: data.seed 0, 1, 2), or a "
        "list of seeds. Grid points × seeds may not exceed the job limits' max_sweep_runs.")


class SpreadSerializer(serializers.Serializer):
    mean = serializers.FloatField(allow_null=True)
    std = serializers.FloatField(allow_null=True,
                                 help_text="Sample standard deviation; null below 2 runs.")
    n = serializers.IntegerField(help_text="Succeeded runs averaged.")


class PointSerializer(serializers.Serializer):
    values = serializers.DictField(source="point", help_text="This point's grid values.")
    # The response's key is "label". DRF's metaclass takes declared fields off the class, so
    # this never shadows Field.label at runtime; only the stubs see the two collide.
    label = serializers.CharField()  # type: ignore[assignment]  # see above
    jobs = serializers.ListField(source="job_ids", child=serializers.IntegerField())
    statuses = serializers.DictField(child=serializers.IntegerField())
    metrics = serializers.DictField(
        child=SpreadSerializer(),
        help_text="Final metric (path in the run's summary) → mean ± std over succeeded runs.")


class SweepSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    lab = serializers.IntegerField()
    lab_title = serializers.CharField()
    base_config = serializers.JSONField()
    grid = serializers.JSONField()
    seeds = serializers.ListField(child=serializers.IntegerField())
    created_at = serializers.DateTimeField()
    progress = serializers.DictField(child=serializers.IntegerField(),
                                     help_text="Runs per status, and the total.")
    finished = serializers.BooleanField()
    points = PointSerializer(many=True)
    page_url = serializers.CharField()


def sweep_data(report, request) -> dict:
    sweep = report.sweep
    return {
        "id": sweep.pk, "lab": sweep.lab_id, "lab_title": sweep.lab.title,
        "base_config": sweep.base_config, "grid": sweep.grid, "seeds": sweep.seeds,
        "created_at": sweep.created_at, "progress": report.progress,
        "finished": report.finished,
        "points": PointSerializer(report.points, many=True).data,
        "page_url": request.build_absolute_uri(reverse("sweep-detail", args=[sweep.pk])),
    }


class SweepListCreate(APIView):
    permission_classes = [MaySweep]

    @extend_schema(responses={200: SweepSerializer(many=True), 403: NOT_A_SWEEPER})
    def get(self, request):
        """Your sweeps, newest first."""
        return Response([
            sweep_data(sweep_selectors.sweep_report(sweep=sweep), request)
            for sweep in sweep_selectors.sweeps_owned_by(user=request.user)[:50]
        ])

    @extend_schema(request=SweepCreateSerializer, responses={
        201: SweepSerializer,
        400: OpenApiResponse(description="A field is wrong (lab, grid, seeds, or a config "
                                         "field a grid value breaks); each is named."),
        403: NOT_A_SWEEPER,
        429: OpenApiResponse(description="A job limit; see Retry-After."),
        503: OpenApiResponse(description="The queue has no room; see Retry-After."),
    })
    def post(self, request):
        """Run a lab's preset over a grid of values × seeds, as ordinary training jobs."""
        form = SweepCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        lab = sweep_selectors.lab_for_sweep(user=request.user, lab_id=form.validated_data["lab"])
        if lab is None:
            raise invalid({"lab": f"No lab {form.validated_data['lab']}."})
        try:
            sweep = services.sweep_create(owner=request.user, lab=lab,
                                          grid=form.validated_data["grid"],
                                          seeds=form.validated_data["seeds"])
        except PermissionDenied as exc:
            raise ApiPermissionDenied(str(exc)) from exc
        except SweepInvalid as exc:
            raise invalid(exc.errors) from exc
        except ConfigError as exc:
            raise invalid({"config": exc.errors}) from exc
        except (limits.LimitReached, limits.QueueFull) as exc:
            raise retry_later(exc) from exc
        report = sweep_selectors.sweep_report(sweep=sweep)
        return Response(sweep_data(report, request), status=status.HTTP_201_CREATED)


class SweepDetail(APIView):
    permission_classes = [MaySweep]

    @extend_schema(responses={200: SweepSerializer, 403: NOT_A_SWEEPER,
                              404: OpenApiResponse(description="No such sweep, or not yours.")})
    def get(self, request, sweep_id: int):
        """A sweep's progress and each grid point's final metrics, mean ± std over seeds."""
        sweep = sweep_selectors.sweep_for_owner(user=request.user, sweep_id=sweep_id)
        if sweep is None:
            raise Http404("No such sweep.")
        return Response(sweep_data(sweep_selectors.sweep_report(sweep=sweep), request))
