"""One error shape for every 4xx and 5xx the API returns:

    {"error": {"code": "not_found", "message": "No such ticket.", "fields": {}}}

`code` is for programs (stable, snake_case), `message` for people, `fields` maps an input field
(dotted for nested input, e.g. "tags.0") to its problems. Ninja's own errors (validation,
authentication, throttling, malformed JSON) are turned into the same shape here.
"""

import logging
from collections import defaultdict
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

log = logging.getLogger(__name__)

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "validation_error",
    429: "rate_limited",
    500: "server_error",
}

# Where ninja says an input came from; the client only cares about the field.
SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}
# Every body parameter in this API is called `payload`, so it is dropped from field paths too.
BODY_PARAM = "payload"


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        fields: dict[str, list[str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields or {}
        self.headers = headers or {}


def invalid(field: str, message: str) -> ApiError:
    """A validation error about one input field."""
    return ApiError(422, "validation_error", message, {field: [message]})


def error_body(code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def error_response(
    api: NinjaAPI,
    request: HttpRequest,
    status: int,
    code: str,
    message: str,
    fields: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    response = api.create_response(request, error_body(code, message, fields), status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = list(loc)
    if parts and parts[0] in SOURCES:
        source = parts.pop(0)
        if source == "body" and parts and parts[0] == BODY_PARAM:
            parts.pop(0)
    return ".".join(str(p) for p in parts) or "__all__"


def fields_from_ninja(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = defaultdict(list)
    for error in errors:
        message = (
            "This field is required." if error.get("type") == "missing" else str(error.get("msg", "Invalid."))
        )
        # pydantic prefixes messages from our own validators with "Value error, ".
        message = message.removeprefix("Value error, ")
        fields[field_path(error.get("loc", ()))].append(message)
    return dict(fields)


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(ApiError)
    def on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return error_response(api, request, exc.status, exc.code, exc.message, exc.fields, exc.headers)

    @api.exception_handler(NinjaValidationError)
    def on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        fields = fields_from_ninja(exc.errors)
        first = next(iter(fields.items()), ("", ["Invalid input."]))
        message = f"{first[0]}: {first[1][0]}" if first[0] and first[0] != "__all__" else first[1][0]
        return error_response(api, request, 422, "validation_error", message, fields)

    @api.exception_handler(DjangoValidationError)
    def on_django_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        if hasattr(exc, "error_dict"):
            fields = {name: [str(m) for m in messages] for name, messages in exc.message_dict.items()}
        else:
            fields = {"__all__": [str(m) for m in exc.messages]}
        message = next(iter(fields.values()))[0]
        return error_response(api, request, 422, "validation_error", message, fields)

    @api.exception_handler(Http404)
    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        # The same words for "does not exist" and "not yours".
        return error_response(api, request, 404, "not_found", "Not found.")

    @api.exception_handler(AuthenticationError)
    def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        message = (
            "Authentication required: send `Authorization: Bearer <token>` with an agent API token "
            "or a customer access token."
        )
        return error_response(
            api,
            request,
            401,
            "unauthorized",
            message,
            headers={"WWW-Authenticate": 'Bearer realm="helpwell"'},
        )

    @api.exception_handler(Throttled)
    def on_throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
        headers = {"Retry-After": str(int(exc.wait))} if exc.wait else {}
        return error_response(
            api, request, 429, "rate_limited", "Too many requests; slow down.", headers=headers
        )

    @api.exception_handler(HttpError)
    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code = CODES.get(exc.status_code, "error")
        message = str(exc)
        if exc.status_code == 403 and "CSRF" in message:
            code, message = "csrf_failed", "CSRF check failed: send the X-CSRFToken header with session auth."
        return error_response(api, request, exc.status_code, code, message)

    @api.exception_handler(Exception)
    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        log.exception("API error on %s %s", request.method, request.path, exc_info=exc)
        return error_response(api, request, 500, "server_error", "Something went wrong on our side.")
