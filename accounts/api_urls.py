from django.urls import path

from accounts import api_tokens

urlpatterns = [
    path("auth/token/", api_tokens.ObtainToken.as_view(), name="api-token"),
    path("auth/tokens/", api_tokens.TokenList.as_view(), name="api-tokens"),
    path("auth/tokens/<int:token_id>/", api_tokens.TokenRevoke.as_view(),
         name="api-token-revoke"),
]
