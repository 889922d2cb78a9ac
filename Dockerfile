FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY dlplatform ./dlplatform
COPY lessons ./lessons
COPY training_worker ./training_worker
RUN pip install .
COPY . .
RUN useradd --create-home app && mkdir -p /app/var /app/media && chown -R app /app/var /app/media
USER app
EXPOSE 8000
CMD ["uvicorn", "dlplatform.asgi:application", "--host", "0.0.0.0", "--port", "8000"]
