"""Trained models in S3-compatible object storage: two worker "machines" with local folders
of their own and a web machine with a third share nothing but the bucket, and the web
serves downloads, predictions and explanations of models that either worker trained.

The S3 server is moto's, run in this test on a port of its own (a real HTTP server that
speaks the S3 API, so django-storages and boto3 work exactly as against a cloud bucket)."""

import os
import time

import boto3
import httpx
import pytest
from moto.server import ThreadedMotoServer

from jobs.models import TrainingJob
from tests.fixtures.accounts import new_key
from tests.fixtures.live_platform import free_port, running_platform

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

CONFIG = {
    "model": {"kind": "mlp", "hidden": [16], "activation": "relu"},
    "data": {"name": "moons", "n_samples": 1000, "noise": 0.2, "val_fraction": 0.2, "seed": 0},
    "optim": {"name": "sgd", "lr": 0.05, "batch_size": 1, "epochs": 4},
}
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "test-key", "AWS_SECRET_ACCESS_KEY": "test-secret",
               "AWS_DEFAULT_REGION": "us-east-1"}


@pytest.fixture
def s3_endpoint():
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def test_models_trained_on_two_machines_are_served_from_the_bucket(user, tmp_path,
                                                                   s3_endpoint):
    bucket = "dlp-models"
    s3 = boto3.client("s3", endpoint_url=s3_endpoint, **{
        "aws_access_key_id": CREDENTIALS["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        "region_name": CREDENTIALS["AWS_DEFAULT_REGION"]})
    s3.create_bucket(Bucket=bucket)
    folders = [tmp_path / name for name in ("web", "machine-a", "machine-b")]
    with running_platform(
        tmp_path, workers=2, concurrency=1,
        worker_env=[{"DLP_MEDIA_ROOT": str(folders[1])}, {"DLP_MEDIA_ROOT": str(folders[2])}],
        DLP_MEDIA_ROOT=str(folders[0]), DLP_S3_BUCKET=bucket, DLP_S3_ENDPOINT_URL=s3_endpoint,
        # Only this test's two workers read this queue (not the session's live platform).
        DLP_JOB_QUEUE=f"{os.environ['DLP_JOB_QUEUE']}-object-storage", **CREDENTIALS,
    ) as platform:
        headers = {"Authorization": f"Token {new_key(user)}"}
        job_ids = []
        for _ in range(2):  # the second is submitted while the first trains: the other worker
            response = httpx.post(f"{platform.url}/api/v1/jobs/", json={"config": CONFIG},
                                  headers=headers, timeout=10)
            assert response.status_code == 201, response.text
            job_ids.append(response.json()["id"])
            deadline = time.monotonic() + 60
            while TrainingJob.objects.get(pk=job_ids[-1]).status == "queued":
                assert time.monotonic() < deadline, platform.logs()
                time.sleep(0.1)
        deadline = time.monotonic() + 120
        while not all(TrainingJob.objects.get(pk=pk).is_terminal for pk in job_ids):
            assert time.monotonic() < deadline, platform.logs()
            time.sleep(0.2)
        jobs = [TrainingJob.objects.get(pk=pk) for pk in job_ids]
        assert [job.status for job in jobs] == ["succeeded", "succeeded"], platform.logs()
        hosts = {job.worker.split("@")[0] for job in jobs}
        assert len(hosts) == 2, "each worker machine trained one of the jobs"

        keys = {o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])}
        assert keys == {f"models/job-{pk}.pt" for pk in job_ids}, keys
        for folder in folders:  # nothing was written to any machine's own folder
            assert not folder.exists() or not any(p.is_file() for p in folder.rglob("*"))

        for job in jobs:
            download = httpx.get(f"{platform.url}/api/v1/jobs/{job.pk}/model/",
                                 headers=headers, timeout=30)
            assert download.status_code == 200 and len(download.content) > 1000
            model = httpx.post(f"{platform.url}/api/v1/jobs/{job.pk}/deploy/", json={},
                               headers=headers, timeout=30).json()
            prediction = httpx.post(model["urls"]["predict"], json={"inputs": [[0.5, -0.2]]},
                                    headers=headers, timeout=30)
            assert prediction.status_code == 200, prediction.text
            explanation = httpx.post(model["urls"]["explain"],
                                     json={"inputs": [[0.5, -0.2]], "method": "saliency"},
                                     headers=headers, timeout=60)
            assert explanation.status_code == 200, explanation.text
