"""DRF authentication with hashed API tokens: `Authorization: Token <key>` (what clients of
rest_framework.authtoken already send) or `Authorization: Bearer <key>`."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed

from accounts import tokens

KEYWORDS = ("token", "bearer")


def key_from_header(header: str) -> str | None:
    """The key of an Authorization header using one of our keywords; None when the header
    is not ours at all (another scheme, or none).

    Raises ValueError when it is ours but malformed (no key, or spaces inside the key).
    """
    parts = header.split()
    if not parts or parts[0].lower() not in KEYWORDS:
        return None
    if len(parts) != 2:
        raise ValueError("Invalid token header: expected `Token <key>` or `Bearer <key>`.")
    return parts[1]


class ApiTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        raw = request.META.get("HTTP_AUTHORIZATION", "")
        if isinstance(raw, bytes):  # the test client may pass bytes
            raw = raw.decode("latin-1")
        try:
            key = key_from_header(raw)
        except ValueError as exc:
            raise AuthenticationFailed(str(exc)) from exc
        if key is None:
            return None  # let the next class (the session) try
        token = tokens.find_active_token(key)
        if token is None:
            raise AuthenticationFailed("Invalid, expired or revoked token.")
        return token.user, token

    def authenticate_header(self, request) -> str:
        """Makes DRF answer 401 (not 403) with `WWW-Authenticate: Token` when unauthenticated."""
        return "Token"


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """Documents the scheme in the OpenAPI schema under the name the old TokenAuthentication
    had (tokenAuth), which the event-stream path's hand-written security list refers to."""

    target_class = "accounts.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        scheme = build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix="Token"
        )
        scheme["description"] = (
            "`Authorization: Token <key>` (or `Bearer <key>`). Create a key on your account "
            "page (/accounts/) or with POST /api/v1/auth/token/."
        )
        return scheme
