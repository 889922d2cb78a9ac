"""What each subcommand does, over dlclient.api.Client. cli.py parses arguments and maps
errors to exit codes; these functions print results and return an exit code."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, TextIO

from dlclient.api import ApiError, Client
from dlclient.files import UsageError, load_job_file
from dlclient.progress import TERMINAL_STATUSES, Progress
from dlclient.stream import STREAM_ERROR_EVENTS, read_events

EXIT_OK = 0
EXIT_JOB_FAILED = 1
EXIT_INTERRUPTED = 130
LIST_PAGE = 100  # jobs fetched per request while filtering by status


def print_json(data: Any, out: TextIO) -> None:
    out.write(json.dumps(data, indent=2, sort_keys=False) + "\n")


def table(rows: list[list[str]], header: list[str], out: TextIO) -> None:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]
    for row in [header, *rows]:
        out.write("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        out.write("\n")


# -- jobs --------------------------------------------------------------------------------------

def submit(client: Client, path: str, *, follow: bool, out: TextIO, err: TextIO) -> int:
    job = client.submit(load_job_file(path))
    out.write(f"{job['id']}\n")
    out.flush()
    if follow:
        return follow_job(client, job["id"], out=out, err=err)
    return EXIT_OK


def follow_job(client: Client, job_id: int, *, out: TextIO, err: TextIO,
               tty: bool | None = None) -> int:
    """Show the job's events until its final status event; 0 if it succeeded, else 1.

    Ctrl-C only stops following: the job keeps running on the server. The job is read
    first so that a wrong URL, token or id fails at once instead of being retried as a
    dropped stream.
    """
    job = client.job(job_id)
    progress = Progress(out, tty=tty, job_id=job_id)
    epochs = _get(job, "config", "optim", "epochs")
    progress.epochs = int(epochs) if epochs.isdigit() else None

    def on_retry(last_id: str | None, wait: float, problem: Exception | None) -> None:
        reason = f" ({str(problem) or type(problem).__name__})" if problem else ""
        err.write(f"event stream interrupted{reason}; resuming after event "
                  f"{last_id or 0} in {wait:.0f} s\n")
        err.flush()

    try:
        events = read_events(lambda last: client.open_events(job_id, last), on_retry=on_retry)
        for event in events:
            try:
                payload = event.json()
            except ValueError:
                continue  # not ours to show; the stream goes on
            if event.event in STREAM_ERROR_EVENTS:
                detail = payload.get("detail") if isinstance(payload, dict) else payload
                err.write(f"server: {detail}\n")
                continue
            progress.handle(event.event, payload)
            if progress.final is not None:
                events.close()
                break
    except KeyboardInterrupt:
        progress.close()
        err.write(f"stopped following job {job_id}; it keeps running "
                  f"(`dlp cancel {job_id}` stops it)\n")
        return EXIT_INTERRUPTED
    finally:
        progress.close()
    final = progress.final
    if final is None:  # the server said the stream was over (204) before we saw its end
        job = client.job(job_id)
        if job["status"] not in TERMINAL_STATUSES:
            raise ApiError(0, "stream_ended", f"The event stream of job {job_id} ended while "
                           f"it was still {job['status']}; run `dlp follow {job_id}` again.")
        final = job
        out.write(f"job {job_id} {job['status']}\n")
    return EXIT_OK if final.get("status") == "succeeded" else EXIT_JOB_FAILED


def cancel(client: Client, job_id: int, *, out: TextIO) -> int:
    job = client.cancel(job_id)
    if job["status"] == "cancelled":
        out.write(f"job {job_id} cancelled\n")
    else:
        out.write(f"job {job_id}: cancel requested; the worker stops it within a second\n")
    return EXIT_OK


def list_jobs(client: Client, *, status: str | None, limit: int, out: TextIO) -> int:
    jobs = _jobs(client, status=status, limit=limit)
    rows = [[str(job["id"]), job["status"], _get(job, "config", "model", "kind"),
             _get(job, "config", "data", "name"), _get(job, "config", "optim", "epochs"),
             _number(_get(job, "result", "val_accuracy")), _date(job.get("created_at"))]
            for job in jobs]
    if not rows:
        out.write("no jobs\n" if not status else f"no {status} jobs\n")
        return EXIT_OK
    table(rows, ["ID", "STATUS", "MODEL", "DATA", "EPOCHS", "VAL_ACC", "CREATED"], out)
    return EXIT_OK


def _jobs(client: Client, *, status: str | None, limit: int) -> list[dict]:
    """The newest `limit` jobs, with `status` if given. Filters here as well as asking the
    server to, since the list endpoint may ignore the parameter; pages on until enough."""
    found: list[dict] = []
    offset = 0
    while len(found) < limit:
        page_size = min(limit, 200) if not status else LIST_PAGE
        page = client.list_jobs(limit=page_size, offset=offset, status=status)
        results = page.get("results", []) if isinstance(page, dict) else page
        found += [job for job in results if not status or job.get("status") == status]
        offset += len(results)
        if not results or not isinstance(page, dict) or not page.get("next"):
            break
    return found[:limit]


def show(client: Client, job_id: int, *, out: TextIO) -> int:
    print_json(client.job(job_id), out)
    return EXIT_OK


DOWNLOADS = {
    "csv": ("jobs/{id}/export.csv", "run_{id}_metrics.csv"),
    "json": ("jobs/{id}/export.json", "run_{id}_history.json"),
    "model": ("jobs/{id}/model/", "job-{id}-model.pt"),
}
MODEL_EXPORTS = {
    "torchscript": ("models/{id}/export/torchscript", "model-{id}.pt"),
    "onnx": ("models/{id}/export/onnx", "model-{id}.onnx"),
}


def download(client: Client, route: str, default_name: str, output: str | None, *,
             out: TextIO, err: TextIO) -> int:
    """Save a file endpoint to `output` (`-` for stdout), else to the server's filename.

    Written to a side file and renamed at the end, so a failed download leaves no
    truncated file under the real name.
    """
    if output == "-":
        client.download(route, sys.stdout.buffer)
        sys.stdout.buffer.flush()
        return EXIT_OK
    directory = Path(output) if output and Path(output).is_dir() else None
    target = Path(output) if output and directory is None else None
    folder = target.parent if target is not None else directory or Path()
    partial = folder / f".{target.name if target is not None else default_name}.part"
    try:
        with partial.open("wb") as file:
            name = client.download(route, file)
        if target is None:
            target = folder / (name or default_name)
        os.replace(partial, target)
    except OSError as exc:
        raise UsageError(f"Cannot write {exc.filename or partial}: {exc.strerror}.") from None
    finally:
        partial.unlink(missing_ok=True)
    err.write(f"saved {target} ({target.stat().st_size} bytes)\n")
    out.write(f"{target}\n")
    return EXIT_OK


# -- models ------------------------------------------------------------------------------------

def deploy(client: Client, job_id: int, name: str | None, *, out: TextIO) -> int:
    model = client.deploy(job_id, name)
    out.write(f"model {model['id']} deployed from job {job_id}"
              + (f" as {model['name']!r}" if model.get("name") else "") + "\n")
    predict_url = _get(model, "urls", "predict")
    if predict_url:
        out.write(f"predict: dlp predict {model['id']} --inputs '[...]'  ({predict_url})\n")
    return EXIT_OK


def models(client: Client, *, out: TextIO) -> int:
    rows = [[str(m["id"]), m.get("name") or "", str(m.get("job", "")), m.get("kind", ""),
             m.get("dataset", ""), str(m.get("prediction_count", "")),
             _date(m.get("created_at"))] for m in client.models()]
    if not rows:
        out.write("no deployed models\n")
        return EXIT_OK
    table(rows, ["ID", "NAME", "JOB", "KIND", "DATASET", "PREDICTIONS", "CREATED"], out)
    return EXIT_OK


def predict(client: Client, model_id: int, inputs_text: str, *, out: TextIO) -> int:
    print_json(client.predict(model_id, parse_inputs(inputs_text)), out)
    return EXIT_OK


def parse_inputs(text: str) -> Any:
    """--inputs as JSON text, `@file.json`, or `-` for standard input."""
    source = "--inputs"
    if text == "-":
        text, source = sys.stdin.read(), "standard input"
    elif text.startswith("@"):
        source = text[1:]
        try:
            text = Path(source).read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"{source}: cannot read it ({exc.strerror}).") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{source}: invalid JSON ({exc.msg} at column {exc.colno}); "
                         "expected a list of inputs, e.g. [[0.5, 0.2]].") from None


# -- formatting helpers ------------------------------------------------------------------------

def _get(data: Any, *keys: str) -> str:
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return ""
        data = data[key]
    return "" if data is None else data if isinstance(data, str) else json.dumps(data)


def _number(text: str) -> str:
    try:
        return f"{float(text):.4f}" if text else ""
    except ValueError:
        return text


def _date(value: Any) -> str:
    """2026-11-25T10:31:07.123456Z → 2026-11-25 10:31:07."""
    return str(value or "")[:19].replace("T", " ")
