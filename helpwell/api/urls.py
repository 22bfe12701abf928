from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, path, re_path

from .api import api
from .docs import docs_asset
from .errors import error_body


def not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    """Unknown paths under /api/ answer in the API's error shape, not with an HTML page."""
    message = "No such API endpoint; see /api/v1/docs."
    if rest.endswith("/"):
        message = "No such API endpoint; API paths have no trailing slash."
    return JsonResponse(error_body("not_found", message), status=404)


def json_errors(view: Callable[..., Any]) -> Callable[..., Any]:
    """Ninja answers a wrong method (405) in plain text and its root path with an HTML 404;
    give both the API's error shape."""

    @wraps(view)  # keeps ninja's csrf_exempt flag
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            return not_found(request)
        if response.status_code == 405 and "json" not in response.get("Content-Type", ""):
            allowed = response.get("Allow", "")
            body = error_body("method_not_allowed", f"{request.method} is not allowed here; use {allowed}.")
            json_response = JsonResponse(body, status=405)
            json_response["Allow"] = allowed
            return json_response
        return response

    return wrapper


# Not called app_name/namespace: include() would read a module-level `app_name` as this module's.
api_patterns, api_app, api_namespace = api.urls
for pattern in api_patterns:
    if isinstance(pattern, URLPattern):
        pattern.callback = json_errors(pattern.callback)

urlpatterns = [
    path("v1/docs/assets/<str:name>", docs_asset, name="api-docs-asset"),
    path("v1/", (api_patterns, api_app, api_namespace)),
    re_path(r"^(?P<rest>.*)$", not_found),
]
