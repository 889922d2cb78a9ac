from django.urls import path

from jobs.api import exports, views
from jobs.api.stream import job_event_stream

urlpatterns = [
    path("jobs/", views.JobListCreate.as_view(), name="api-jobs"),
    path("jobs/<int:job_id>/", views.JobDetail.as_view(), name="api-job-detail"),
    path("jobs/<int:job_id>/cancel/", views.JobCancel.as_view(), name="api-job-cancel"),
    path("jobs/<int:job_id>/metrics/", views.JobMetrics.as_view(), name="api-job-metrics"),
    path("jobs/<int:job_id>/events/", job_event_stream, name="api-job-events"),
    path("jobs/<int:job_id>/model/", views.JobModelDownload.as_view(), name="api-job-model"),
    path("jobs/<int:job_id>/export.csv", exports.JobExportCsv.as_view(), name="api-job-csv"),
    path("jobs/<int:job_id>/export.json", exports.JobExportJson.as_view(), name="api-job-json"),
    path("jobs/<int:job_id>/code.py", exports.JobCode.as_view(), name="api-job-code"),
]
