"""The API docs page: Swagger UI from the copy that ships inside django-ninja, served by us.

Ninja's own page loads Swagger UI from a CDN unless "ninja" is an installed app; Helpwell runs
on machines without internet access, so the page and its assets come from this server.
"""

import json
import mimetypes
from pathlib import Path
from typing import Any

import ninja
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from ninja import NinjaAPI
from ninja.openapi.docs import DocsBase

ASSET_DIR = Path(ninja.__file__).parent / "static" / "ninja"
ASSETS = {"swagger-ui-bundle.js", "swagger-ui.css", "swagger-ui-init.js", "favicon.svg", "favicon.png"}


class LocalSwagger(DocsBase):
    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        settings = {
            "url": self.get_openapi_url(api, kwargs),
            "layout": "BaseLayout",
            "deepLinking": True,
            "persistAuthorization": False,
        }
        context = {
            "api": api,
            "swagger_settings": json.dumps(settings),
            # A signed-in agent can "Try it out" with their session; unsafe methods need the token.
            "csrf_token_value": get_token(request) if request.user.is_authenticated else "",
        }
        return render(request, "api/docs.html", context)


@require_GET
@cache_control(public=True, max_age=24 * 3600)
def docs_asset(request: HttpRequest, name: str) -> FileResponse:
    if name not in ASSETS:
        raise Http404("No such file.")
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return FileResponse((ASSET_DIR / name).open("rb"), content_type=content_type)
