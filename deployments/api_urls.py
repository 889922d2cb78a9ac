from django.urls import path

from deployments import api

urlpatterns = [
    path("jobs/<int:job_id>/deploy/", api.JobDeploy.as_view(), name="api-job-deploy"),
    path("models/", api.ModelList.as_view(), name="api-models"),
    path("models/<int:model_id>/", api.ModelDetail.as_view(), name="api-model-detail"),
    path("models/<int:model_id>/predict/", api.ModelPredict.as_view(),
         name="api-model-predict"),
    path("models/<int:model_id>/explain/", api.ModelExplain.as_view(),
         name="api-model-explain"),
    path("models/<int:model_id>/export/torchscript", api.ModelExportTorchScript.as_view(),
         name="api-model-torchscript"),
    path("models/<int:model_id>/export/onnx", api.ModelExportOnnx.as_view(),
         name="api-model-onnx"),
]
