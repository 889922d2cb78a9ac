from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularSwaggerSplitView

from accounts import account_views
from accounts.login_throttle import ThrottledAuthenticationForm
from dlplatform import views
from jobs import ops_metrics
from jobs.api.schema import SchemaView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz/", views.healthz, name="healthz"),
    path("metrics", ops_metrics.metrics_view, name="metrics"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("accounts/signup/", views.signup, name="signup"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=ThrottledAuthenticationForm),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Password reset by e-mail: Django's views, our templates (templates/registration/).
    path("accounts/password-reset/", auth_views.PasswordResetView.as_view(),
         name="password_reset"),
    path("accounts/password-reset/sent/", auth_views.PasswordResetDoneView.as_view(),
         name="password_reset_done"),
    path("accounts/reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("accounts/reset/done/", auth_views.PasswordResetCompleteView.as_view(),
         name="password_reset_complete"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(),
         name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(),
         name="password_change_done"),
    path("accounts/", account_views.account, name="account"),
    path("accounts/email/", account_views.change_email, name="account-email"),
    path("accounts/data.json", account_views.download_data, name="account-data"),
    path("accounts/delete/", account_views.delete_account, name="account-delete"),
    path("accounts/tokens/<int:token_id>/revoke/", account_views.revoke_api_token,
         name="account-token-revoke"),
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
