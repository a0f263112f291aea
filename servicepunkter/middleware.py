import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.db import DatabaseError
from django.http.multipartparser import MultiPartParserError
from django.middleware.locale import LocaleMiddleware
from django.template.response import TemplateResponse
from django.utils import translation
from django.views.defaults import bad_request

security_logger = logging.getLogger("django.security.BadRequest")


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Swedish unless the person chose another language, whatever the browser asks."""

    def process_request(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class RequestHygieneMiddleware:
    """Refuse NUL bytes in parameters and headers, cookies among them (PostgreSQL
    text cannot hold them), and bodies
    that cannot be parsed with the bad request page (400), logged as one WARNING
    line: a scanner's noise, not a fault of ours (raising SuspiciousOperation would
    log it at ERROR with its traceback). Give the empty 405 answers of Django's views
    a page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            refusal = self._refusal(request)
        except RequestDataTooBig:
            raise  # Too large, not malformed: Django answers it (413/400) itself.
        except (SuspiciousOperation, MultiPartParserError) as error:
            request._mark_post_parse_error()
            refusal = f"body or parameters unreadable ({error.__class__.__name__})"
        if refusal:
            security_logger.warning(
                "Bad request refused: %s (%s %r)",
                refusal,
                request.method,
                request.path,
            )
            return bad_request(request, SuspiciousOperation(refusal))
        response = self.get_response(request)
        if response.status_code == 405 and not response.content:
            page = TemplateResponse(request, "405.html", status=405)
            page["Allow"] = response.get("Allow", "")
            return page.render()
        return response

    @staticmethod
    def _refusal(request):
        """Why the request is refused, or None."""
        if "\x00" in request.path:
            return "NUL byte in the path."
        # HTTP forbids NUL in header values; a user agent or an address with one
        # would reach the database (the failed sign-in log) and fail there.
        for name, value in request.META.items():
            if name.startswith("HTTP_") and "\x00" in str(value):
                return "NUL byte in a header."
        for values in (request.GET, request.POST):
            for key, value in values.lists():
                if "\x00" in key or any("\x00" in item for item in value):
                    return "NUL byte in a request parameter."
        return None


class NoStoreMiddleware:
    """Answers to a signed-in person hold personal data: `Cache-Control: no-store`
    keeps pages, PDFs and exports out of shared caches and the browser's disk (and
    its back button after signing out). A view that chose its own Cache-Control
    keeps it; static files are served before this (WhiteNoise)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control") and self._signed_in(request):
            response["Cache-Control"] = "no-store"
        return response

    @staticmethod
    def _signed_in(request):
        user = getattr(request, "user", None)
        if user is None:
            return False
        try:
            return user.is_authenticated
        except DatabaseError:
            # The session could not be read: better not stored than leaked.
            return True
