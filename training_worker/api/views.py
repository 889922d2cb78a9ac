"""The jobs API: thin views that parse, call one service or selector, and serialize."""

from django.http import FileResponse, Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from training_worker import limits, selectors, services
from training_worker.api.serializers import (
    JobHistorySerializer,
    JobSerializer,
    JobSubmitSerializer,
)
from training_worker.engine import ConfigError


class ObtainToken(ObtainAuthToken):
    """POST username and password → {"token": key}; throttled against password guessing."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"


def _job_or_404(request, job_id: int):
    job = selectors.job_for_user(user=request.user, job_id=job_id)
    if job is None:
        raise Http404("No such job.")
    return job


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
            return Response(
                {"config": {path: [reason] for path, reason in exc.errors.items()}},
                status=status.HTTP_400_BAD_REQUEST,
            )
        except (limits.LimitReached, limits.QueueFull) as exc:
            code = (status.HTTP_429_TOO_MANY_REQUESTS if isinstance(exc, limits.LimitReached)
                    else status.HTTP_503_SERVICE_UNAVAILABLE)
            return Response(
                {"detail": str(exc), "retry_after": exc.retry_after_s},
                status=code, headers={"Retry-After": str(exc.retry_after_s)},
            )
        body = JobSerializer(job, context={"request": request}).data
        return Response(
            body, status=status.HTTP_201_CREATED, headers={"Location": body["urls"]["self"]}
        )


class JobDetail(APIView):
    @extend_schema(responses=JobSerializer)
    def get(self, request, job_id: int):
        job = _job_or_404(request, job_id)
        return Response(JobSerializer(job, context={"request": request}).data)


class JobCancel(APIView):
    @extend_schema(request=None, responses={200: JobSerializer, 409: None})
    def post(self, request, job_id: int):
        job = _job_or_404(request, job_id)
        try:
            job = services.job_cancel(job=job)
        except services.JobConflict as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        return Response(JobSerializer(job, context={"request": request}).data)


class JobMetrics(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("after", int, description="Only events with a larger seq."),
        ],
        responses=JobHistorySerializer,
    )
    def get(self, request, job_id: int):
        job = _job_or_404(request, job_id)
        after = request.query_params.get("after", "0")
        if not after.isdigit():
            return Response(
                {"after": ["Must be a non-negative integer."]}, status=status.HTTP_400_BAD_REQUEST
            )
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
