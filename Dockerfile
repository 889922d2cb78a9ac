FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
# Torch is pinned apart from the lock: on Linux the registry's build of this pin carries CUDA,
# which GPU workers need and CPU machines run too. For a slimmer CPU-only image, pass
# `--build-arg TORCH_SPEC="torch==2.13.0 --index-url <PyTorch's CPU wheel index>"`.
ARG TORCH_SPEC="torch==2.13.0"
COPY requirements/run.txt ./requirements/run.txt
RUN pip install $TORCH_SPEC && pip install -r requirements/run.txt
COPY pyproject.toml README.md ./
COPY dlplatform ./dlplatform
COPY accounts ./accounts
COPY lessons ./lessons
COPY classroom ./classroom
COPY jobs ./jobs
COPY deployments ./deployments
COPY engine ./engine
COPY training_worker ./training_worker
COPY dlclient ./dlclient
RUN pip install --no-deps .
COPY . .
# Hashed, gzipped static files under /app/staticfiles, served by the web (dlplatform/static_files.py).
RUN python manage.py collectstatic --noinput --verbosity 0
RUN useradd --create-home app && mkdir -p /app/var /app/media && chown -R app /app/var /app/media
USER app
EXPOSE 8000
# The options of dlplatform/serving.py's UVICORN_OPTIONS: deadlines for slow clients.
CMD ["uvicorn", "dlplatform.asgi:application", "--host", "0.0.0.0", "--port", "8000", \
     "--http", "dlplatform.serving:H11WithHeaderTimeout", "--timeout-keep-alive", "5", \
     "--h11-max-incomplete-event-size", "16384"]
