"""The jobs API: thin views that parse, call one service or selector, and serialize."""

from django.http import FileResponse, Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from dlplatform.api_errors import Conflict, invalid, retry_later
from engine import ConfigError
from jobs import limits, selectors, services
from jobs.api.params import is_non_negative_int
from jobs.api.serializers import (
    SHARE_QUERY_PARAM,
    JobHistorySerializer,
    JobSerializer,
    JobShareSerializer,
    JobSubmitSerializer,
)


class ViewableRun(BasePermission):
    """Read-only endpoints of a run: open to anyone holding its share link (`?share=`); the
    view then decides with selectors.job_viewable_by."""

    def has_permission(self, request, view) -> bool:
        authenticated = bool(request.user and request.user.is_authenticated)
        return request.method in SAFE_METHODS or authenticated


SHARE_PARAMETER = OpenApiParameter(
    SHARE_QUERY_PARAM, str, required=False,
    description="The share token of a run its owner shared (from its `share_url`): lets "
    "anyone view it read-only. The owner needs none.",
)


def _job_or_404(request, job_id: int, *, viewing: bool = False):
    """The job for this request: its owner's only, or (viewing) one shared with the token
    the request holds."""
    if viewing:
        share_token = request.query_params.get(SHARE_QUERY_PARAM)
        job = selectors.job_viewable_by(user=request.user, job_id=job_id,
                                        share_token=share_token)
        if job is None and not request.user.is_authenticated:
            raise NotAuthenticated()  # it may well exist: the caller should log in
    else:
        job = selectors.job_for_user(user=request.user, job_id=job_id)
    if job is None:
        raise Http404("No such job.")
    return job


def job_context(request, job) -> dict:
    """The serializer's context: a visitor who is not the owner came by the share link."""
    return {"request": request, "viewed_by_share_link": job.owner_id != request.user.pk}


class JobListCreate(generics.ListAPIView):
    serializer_class = JobSerializer

    def get_queryset(self):
        return selectors.jobs_visible_to(user=self.request.user)

    @extend_schema(
        request=JobSubmitSerializer,
        responses={
            201: JobSerializer,
            400: OpenApiResponse(description="A field of the config is wrong; each is named."),
            429: OpenApiResponse(description="A per-learner limit; see Retry-After."),
            503: OpenApiResponse(description="The queue is full; see Retry-After."),
        },
    )
    def post(self, request):
        submit = JobSubmitSerializer(data=request.data)
        submit.is_valid(raise_exception=True)
        try:
            job = services.job_submit(
                user=request.user,
                config=submit.validated_data["config"],
                lab=submit.validated_data.get("lab"),
            )
        except ConfigError as exc:
            raise invalid({"config": exc.errors}) from exc
        except (limits.LimitReached, limits.QueueFull) as exc:
            raise retry_later(exc) from exc
        body = JobSerializer(job, context={"request": request}).data
        return Response(
            body, status=status.HTTP_201_CREATED, headers={"Location": body["urls"]["self"]}
        )


class JobDetail(APIView):
    permission_classes = [ViewableRun]

    @extend_schema(parameters=[SHARE_PARAMETER], responses=JobSerializer)
    def get(self, request, job_id: int):
        job = _job_or_404(request, job_id, viewing=True)
        return Response(JobSerializer(job, context=job_context(request, job)).data)

    @extend_schema(request=JobShareSerializer, responses=JobSerializer)
    def patch(self, request, job_id: int):
        """Share a run (anyone with its link may view it read-only) or stop sharing it."""
        job = _job_or_404(request, job_id)
        change = JobShareSerializer(data=request.data)
        change.is_valid(raise_exception=True)
        job = services.job_set_shared(job=job, shared=change.validated_data["shared"])
        return Response(JobSerializer(job, context={"request": request}).data)


class JobCancel(APIView):
    @extend_schema(request=None, responses={200: JobSerializer, 409: None})
    def post(self, request, job_id: int):
        job = _job_or_404(request, job_id)
        try:
            job = services.job_cancel(job=job)
        except services.JobConflict as exc:
            raise Conflict(str(exc)) from exc
        return Response(JobSerializer(job, context={"request": request}).data)


class JobMetrics(APIView):
    permission_classes = [ViewableRun]

    @extend_schema(
        parameters=[
            OpenApiParameter("after", {"type": "integer", "minimum": 0},
                             description="Only events with a larger seq."),
            SHARE_PARAMETER,
        ],
        responses=JobHistorySerializer,
    )
    def get(self, request, job_id: int):
        job = _job_or_404(request, job_id, viewing=True)
        after = request.query_params.get("after", "0")
        if not is_non_negative_int(after):
            raise invalid({"after": "Must be a non-negative integer."})
        events = selectors.job_events_after(job_id=job.pk, after_seq=int(after))
        return Response({"job": job.pk, "status": job.status, "events": events})


class JobModelDownload(APIView):
    """The trained model of a succeeded job: a torch.save file of its config and weights."""

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    def get(self, request, job_id: int):
        job = _job_or_404(request, job_id)
        stored = getattr(job, "model", None)
        if stored is None:
            raise Http404("This job has no trained model (it has not succeeded).")
        return FileResponse(
            stored.file.open("rb"), as_attachment=True, filename=f"job-{job.pk}-model.pt",
            content_type="application/octet-stream",
        )
