import re

from securitylog.models import EventKind
from securitylog.services import security_event_record


class SecurityEventMiddleware:
    """Logs what a signed-in person was refused (403) and every file they took away:
    an export or a download is any answer with a Content-Disposition (who, what,
    when)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return response
        if response.status_code == 403:
            security_event_record(kind=EventKind.DENIED, request=request)
        elif response.status_code == 200 and response.has_header("Content-Disposition"):
            security_event_record(
                kind=EventKind.DOWNLOAD,
                request=request,
                detail=file_name(response["Content-Disposition"]),
            )
        return response


def file_name(disposition: str) -> str:
    """The file's name from a Content-Disposition header, else the header."""
    match = re.search(r'filename="([^"]*)"', disposition)
    return match[1] if match else disposition
