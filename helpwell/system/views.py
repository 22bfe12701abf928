from django.db import connection
from django.http import HttpRequest, JsonResponse

from .heartbeat import worker_status


def health(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    status = worker_status()
    return JsonResponse({"database": "ok", "worker": "ok" if status["ok"] else "stale", "detail": status["message"]})
