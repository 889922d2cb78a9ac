"""The account pages under /accounts/: sign up, log in (throttled), password change and reset
(Django's views, our templates in templates/registration/), the account page, tokens, data."""

from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import account_views
from accounts.login_throttle import ThrottledAuthenticationForm

urlpatterns = [
    path("signup/", account_views.signup, name="signup"),
    path(
        "login/",
        auth_views.LoginView.as_view(authentication_form=ThrottledAuthenticationForm),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Password reset by e-mail: Django's views, our templates (templates/registration/).
    path("password-reset/", auth_views.PasswordResetView.as_view(),
         name="password_reset"),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(),
         name="password_reset_done"),
    path("reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("reset/done/", auth_views.PasswordResetCompleteView.as_view(),
         name="password_reset_complete"),
    path("password/", auth_views.PasswordChangeView.as_view(),
         name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(),
         name="password_change_done"),
    path("", account_views.account, name="account"),
    path("email/", account_views.change_email, name="account-email"),
    path("data.json", account_views.download_data, name="account-data"),
    path("delete/", account_views.delete_account, name="account-delete"),
    path("tokens/<int:token_id>/revoke/", account_views.revoke_api_token,
         name="account-token-revoke"),
]
