"""The token API: log in from a CLI for a new key, list one's tokens, revoke one.

Thin views: the serializers parse, accounts.tokens does the work, and errors are raised as
DRF exceptions for the API's error handler to shape.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts import login_throttle, tokens
from accounts.models import ApiToken
from dlplatform.api_errors import RetryLater
from dlplatform.parsers import BoundedJSONParser


class ObtainTokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    name = serializers.CharField(
        required=False, max_length=tokens.NAME_MAX_LENGTH,
        help_text="A label to tell this token apart; default `cli` (then `cli-2`, `cli-3`…).",
    )


class ApiTokenSerializer(serializers.ModelSerializer):
    """A token as lists show it: never its key (which is not stored) nor its hash."""

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created", "last_used_at", "expires_at"]
        read_only_fields = fields


class NewApiTokenSerializer(serializers.ModelSerializer):
    """A token just created, with its key (given in the context: it is not stored)."""

    token = serializers.SerializerMethodField(
        help_text="The key, shown this once: send it as `Authorization: Token <key>`."
    )

    class Meta:
        model = ApiToken
        fields = ["token", "id", "name", "prefix", "created"]
        read_only_fields = fields

    def get_token(self, token: ApiToken) -> str:
        return self.context["key"]


class ObtainToken(APIView):
    """POST username and password → a new named token; throttled against password guessing.

    Each call makes a new token (keys are stored hashed, so an old one cannot be handed out
    again); the learner revokes those they no longer use.
    """

    parser_classes = [BoundedJSONParser, FormParser, MultiPartParser]  # `curl -d` logs in too

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(
        request=ObtainTokenRequestSerializer,
        responses={
            201: NewApiTokenSerializer,
            400: OpenApiResponse(description="Wrong username or password, or a bad name."),
            429: OpenApiResponse(description="Too many attempts from this address, or the "
                                 "account is locked after failed logins; see Retry-After."),
        },
        tags=["auth"],
    )
    def post(self, request):
        login = ObtainTokenRequestSerializer(data=request.data)
        login.is_valid(raise_exception=True)
        data = login.validated_data
        try:  # one lockout per account, shared with the login form
            user = login_throttle.authenticate_or_lock(
                request, data["username"], data["password"]
            )
        except login_throttle.AccountLocked as exc:
            raise RetryLater(str(exc), code="account_locked", retry_after=exc.retry_after_s,
                             status_code=status.HTTP_429_TOO_MANY_REQUESTS) from exc
        if user is None:
            raise ValidationError("Unable to log in with provided credentials.",
                                  code="authorization")
        try:
            if "name" in data:
                token, key = tokens.create_token(user, data["name"])
            else:
                token, key = tokens.create_token_named_after(user, "cli")
        except tokens.InvalidTokenName as exc:
            raise ValidationError({"name": str(exc)}) from exc
        body = NewApiTokenSerializer(token, context={"key": key}).data
        return Response(body, status=status.HTTP_201_CREATED)


class TokenList(generics.ListAPIView):
    """The caller's active tokens, newest first (expired ones too, until revoked)."""

    serializer_class = ApiTokenSerializer

    def get_queryset(self):
        return tokens.active_tokens(self.request.user)

    @extend_schema(tags=["auth"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class TokenRevoke(APIView):
    @extend_schema(
        request=None,
        responses={
            204: OpenApiResponse(description="Revoked: the key no longer authenticates."),
            404: OpenApiResponse(description="No such active token of yours."),
        },
        tags=["auth"],
    )
    def delete(self, request, token_id: int):
        if tokens.revoke_token(request.user, token_id) is None:
            raise NotFound("No such token.")
        return Response(status=status.HTTP_204_NO_CONTENT)
