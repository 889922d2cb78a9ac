from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularSwaggerView

from dlplatform import account_views, views
from dlplatform.login_throttle import ThrottledAuthenticationForm
from training_worker.api.schema import SchemaView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz/", views.healthz, name="healthz"),
    path("accounts/signup/", views.signup, name="signup"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=ThrottledAuthenticationForm),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", account_views.account, name="account"),
    path("accounts/tokens/<int:token_id>/revoke/", account_views.revoke_api_token,
         name="account-token-revoke"),
    # The API is versioned in its path: a breaking change goes to /api/v2/ beside it.
    path("api/v1/schema/", SchemaView.as_view(), name="api-schema"),
    path("api/v1/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"),
         name="api-docs"),
    path("api/v1/", include("training_worker.api.urls")),
    path("api/v1/", include("lessons.api_urls")),
    path("api/v1/", include("classroom.api_urls")),
    path("", include("training_worker.urls")),
    path("", include("classroom.urls")),
    path("", include("lessons.urls")),
]

handler404 = "dlplatform.views.page_not_found"
handler500 = "dlplatform.views.server_error"
