"""Schemathesis against our own OpenAPI schema on a live server: no 5xx, no response that
breaks the schema, no schema-invalid request accepted, for generated valid and invalid
requests of every endpoint, the event stream included, alone and in linked sequences."""

import subprocess
import sys
import time

import pytest

from jobs import services
from jobs.models import JobLimits, TrainingJob
from tests.fixtures.accounts import new_key

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def token(user):
    limits = JobLimits.current()
    limits.max_concurrent_jobs = 1  # generated jobs get 201 once, then 429: little training
    limits.save()
    yield new_key(user)
    for job in TrainingJob.objects.filter(status__in=["queued", "running"]):
        services.job_cancel(job=job)
    # Let the worker stop before the test database is flushed: a worker still writing a
    # run's events while the tables are truncated is a deadlock.
    deadline = time.monotonic() + 60
    while TrainingJob.objects.filter(status="running").exists() and time.monotonic() < deadline:
        time.sleep(0.5)


def test_no_server_errors_and_responses_match_the_schema(live_platform, token, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "schemathesis.cli", "run",
         f"{live_platform.url}/api/v1/schema/?format=json",
         "--header", f"Authorization: Token {token}",
         # Schema-valid and schema-invalid requests, each operation alone and in the
         # sequences the schema's links describe (submit a job, then read, share, cancel it).
         "--mode", "all", "--phases", "examples,coverage,fuzzing,stateful",
         "--checks", "all",
         # The one check JSON Schema cannot satisfy: cross-field rules (a CNN needs image
         # data; a run's inputs must fit its model; a password must match) make some
         # schema-valid requests a rightful 400.
         "--exclude-checks", "positive_data_acceptance",
         # Revoking a token could revoke the fuzzer's own (then all is 401, and nothing
         # after is tested); tests/accounts/test_auth_token.py covers revoking.
         "--exclude-path-regex", r"/auth/tokens/\{token_id\}/$",
         "--max-examples", "15", "--seed", "1", "--workers", "1",
         "--generation-database", "none",  # the same cases on every machine
         # Deploying and exporting a model take a few seconds; on 2 cores shared with the
         # worker training the fuzzer's jobs, over schemathesis's default of 10.
         "--max-response-time", "30",
         "--request-timeout", "30", "--report-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-2000:]
