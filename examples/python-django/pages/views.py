"""The page says whether collectstatic ran at build time."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def index(request: HttpRequest) -> HttpResponse:
    collected = (settings.STATIC_ROOT / "pages" / "site.css").is_file()
    return HttpResponse(f"hello from django, static collected: {collected}\n")
