"""Answers the API's clients in its error shape where Django would not: a lost database
(503 instead of a 500) and a body over the size limit (413 instead of an HTML 400)."""

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.template.response import SimpleTemplateResponse
from django.utils.deprecation import MiddlewareMixin

from dlplatform.api_errors import error_response, is_api_request
from dlplatform.parsers import body_too_large_message

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


class ApiBodyLimitMiddleware(MiddlewareMixin):
    """An API request whose Content-Length is over DATA_UPLOAD_MAX_MEMORY_SIZE gets 413 in
    the API's error shape before anything reads it (Django answered a form body that size
    with an HTML 400, and DRF read a JSON one whole). The JSON parser stops reading at the
    same bound, whatever the header says."""

    def process_request(self, request):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is None or not is_api_request(request):
            return None
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return error_response(400, "parse_error", "The Content-Length header is not a number.")
        if length > limit:
            return error_response(413, "payload_too_large", body_too_large_message())
        return None
