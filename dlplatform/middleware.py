"""Turns a lost database into 503 Service Unavailable instead of a 500."""

import logging

from django.db import InterfaceError, OperationalError
from django.template.response import SimpleTemplateResponse
from django.utils.deprecation import MiddlewareMixin

from dlplatform.api_errors import error_response, is_api_request

log = logging.getLogger(__name__)

RETRY_AFTER_S = 5
MESSAGE = "The service is briefly unavailable (its database cannot be reached). Try again shortly."


class DatabaseUnavailableMiddleware(MiddlewareMixin):
    # MiddlewareMixin serves sync and async requests alike, so no thread per ASGI request.

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        log.error("database unavailable for %s %s: %s", request.method, request.path, exception)
        if is_api_request(request) or "application/json" in request.headers.get("Accept", ""):
            return error_response(503, "service_unavailable", MESSAGE, retry_after=RETRY_AFTER_S)
        response = SimpleTemplateResponse("503.html", {"message": MESSAGE}, status=503)
        response.render()
        response["Retry-After"] = str(RETRY_AFTER_S)
        return response
