"""Project-wide pages: health check, favicon, and the error handlers (JSON under /api/)."""

from django.http import JsonResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.views import defaults
from django.views.decorators.cache import cache_control

from dlplatform.api_errors import error_response, is_api_request


def healthz(request):
    """Liveness for load balancers, and the trivial baseline of bench/web_bench.py: no
    database query, no template, no session."""
    return JsonResponse({"ok": True})


@cache_control(max_age=86400, public=True)
def favicon(request):
    """Browsers ask for /favicon.ico on pages that name no icon (the admin, JSON, images):
    send them to ours rather than a 404 on every such page."""
    return redirect(static("img/favicon.svg"))


def page_not_found(request, exception):
    """API clients get JSON errors everywhere under /api/, even for unknown URLs."""
    if is_api_request(request):
        return error_response(404, "not_found", "Not found.")
    return defaults.page_not_found(request, exception)


def server_error(request):
    if is_api_request(request):
        return error_response(500, "server_error", "Internal server error.")
    return defaults.server_error(request)
