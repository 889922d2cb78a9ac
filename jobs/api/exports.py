"""A run's history as downloadable files: CSV of its metrics, JSON of all its events, and
the plain-PyTorch script of its config. Its owner's, or anyone's who holds the link of a
run its owner shares (`?share=<token>`)."""

import csv
import io
import json

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.views import APIView

from jobs import codegen, history, selectors
from jobs.api.views import SHARE_PARAMETER, ViewableRun, _job_or_404


class FileNegotiation(BaseContentNegotiation):
    """These views answer with one file type whatever the client accepts (an error is JSON)."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class FileView(APIView):
    """A run's read-only file: its owner's, or anyone's when the run is shared."""

    content_negotiation_class = FileNegotiation
    permission_classes = [ViewableRun]


def _attachment(body: str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class JobExportCsv(FileView):
    @extend_schema(
        operation_id="jobs_export_csv",
        summary="A job's metrics as CSV",
        description="One row per metric event (per-step and per-epoch), oldest first: seq, "
        "scope, epoch, step, then one column per metric the run reports.",
        parameters=[SHARE_PARAMETER],
        responses={(200, "text/csv"): OpenApiResponse(description="CSV file")},
    )
    def get(self, request, job_id: int):
        job = _job_or_404(request, job_id, viewing=True)
        header, rows = history.csv_table(history.metric_events([job.pk])[job.pk])
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        return _attachment(out.getvalue(), "text/csv; charset=utf-8", f"run_{job.pk}_metrics.csv")


class JobExportJson(FileView):
    @extend_schema(
        operation_id="jobs_export_json",
        summary="A job's full history as a JSON file",
        description="The job (config, status, result) and every event it emitted, oldest first.",
        parameters=[SHARE_PARAMETER],
        responses={(200, "application/json"): OpenApiResponse(description="JSON file")},
    )
    def get(self, request, job_id: int):
        job = _job_or_404(request, job_id, viewing=True)
        body = {
            "job": job.pk,
            "status": job.status,
            "config": job.config,
            "result": job.result,
            "created_at": job.created_at.isoformat(),
            "started_at": job.started_at.isoformat() if job.started_at else None,
            "finished_at": job.finished_at.isoformat() if job.finished_at else None,
            "events": selectors.job_events_after(job_id=job.pk, after_seq=0),
        }
        return _attachment(
            json.dumps(body, indent=1), "application/json", f"run_{job.pk}_history.json"
        )


class JobCode(FileView):
    @extend_schema(
        operation_id="jobs_code",
        summary="The job's config as a plain PyTorch script",
        description="A runnable script (MLP models, and CNNs on digits); other kinds "
        "answer 404 with the reason.",
        parameters=[SHARE_PARAMETER],
        responses={(200, "text/x-python"): OpenApiResponse(description="Python file")},
    )
    def get(self, request, job_id: int):
        job = _job_or_404(request, job_id, viewing=True)
        try:
            script = codegen.pytorch_script(job.config, title=f"Run #{job.pk}")
        except codegen.NotCovered as exc:
            raise NotFound(str(exc)) from exc
        return _attachment(
            script, "text/x-python; charset=utf-8", codegen.script_filename(job.config, job.pk)
        )
