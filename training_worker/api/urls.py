from django.urls import path

from dlplatform import api_tokens
from training_worker.api import exports, predict, views
from training_worker.api.stream import job_event_stream

urlpatterns = [
    path("auth/token/", api_tokens.ObtainToken.as_view(), name="api-token"),
    path("auth/tokens/", api_tokens.TokenList.as_view(), name="api-tokens"),
    path("auth/tokens/<int:token_id>/", api_tokens.TokenRevoke.as_view(),
         name="api-token-revoke"),
    path("jobs/", views.JobListCreate.as_view(), name="api-jobs"),
    path("jobs/<int:job_id>/", views.JobDetail.as_view(), name="api-job-detail"),
    path("jobs/<int:job_id>/cancel/", views.JobCancel.as_view(), name="api-job-cancel"),
    path("jobs/<int:job_id>/metrics/", views.JobMetrics.as_view(), name="api-job-metrics"),
    path("jobs/<int:job_id>/events/", job_event_stream, name="api-job-events"),
    path("jobs/<int:job_id>/model/", views.JobModelDownload.as_view(), name="api-job-model"),
    path("jobs/<int:job_id>/export.csv", exports.JobExportCsv.as_view(), name="api-job-csv"),
    path("jobs/<int:job_id>/export.json", exports.JobExportJson.as_view(), name="api-job-json"),
    path("jobs/<int:job_id>/code.py", exports.JobCode.as_view(), name="api-job-code"),
    path("jobs/<int:job_id>/deploy/", predict.JobDeploy.as_view(), name="api-job-deploy"),
    path("models/", predict.ModelList.as_view(), name="api-models"),
    path("models/<int:model_id>/", predict.ModelDetail.as_view(), name="api-model-detail"),
    path("models/<int:model_id>/predict/", predict.ModelPredict.as_view(),
         name="api-model-predict"),
    path("models/<int:model_id>/explain/", predict.ModelExplain.as_view(),
         name="api-model-explain"),
    path("models/<int:model_id>/export/torchscript", predict.ModelExportTorchScript.as_view(),
         name="api-model-torchscript"),
    path("models/<int:model_id>/export/onnx", predict.ModelExportOnnx.as_view(),
         name="api-model-onnx"),
]
