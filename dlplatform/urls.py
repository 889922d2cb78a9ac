from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularSwaggerSplitView

from dlplatform import views
from jobs import ops_metrics
from jobs.api.schema import SchemaView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz/", views.healthz, name="healthz"),
    path("metrics", ops_metrics.metrics_view, name="metrics"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("accounts/", include("accounts.urls")),
    # The API is versioned in its path: a breaking change goes to /api/v2/ beside it.
    path("api/v1/schema/", SchemaView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file: our CSP allows no
    # inline script.
    path("api/v1/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"),
         name="api-docs"),
    path("api/v1/", include("accounts.api_urls")),
    path("api/v1/", include("jobs.api.urls")),
    path("api/v1/", include("deployments.api_urls")),
    path("api/v1/", include("lessons.api_urls")),
    path("api/v1/", include("classroom.api_urls")),
    path("", include("jobs.urls")),
    path("", include("deployments.urls")),
    path("", include("classroom.urls")),
    path("", include("lessons.urls")),
]

handler404 = "dlplatform.views.page_not_found"
handler500 = "dlplatform.views.server_error"
