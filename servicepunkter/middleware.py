from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.middleware.locale import LocaleMiddleware
from django.template.response import TemplateResponse
from django.utils import translation


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Swedish unless the person chose another language, whatever the browser asks."""

    def process_request(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class RequestHygieneMiddleware:
    """Refuse NUL bytes in parameters (PostgreSQL text cannot hold them: a 400, not
    a 500) and give the empty 405 answers of Django's views a page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for values in (request.GET, request.POST):
            for key, value in values.lists():
                if "\x00" in key or any("\x00" in item for item in value):
                    raise SuspiciousOperation("NUL byte in a request parameter.")
        response = self.get_response(request)
        if response.status_code == 405 and not response.content:
            page = TemplateResponse(request, "405.html", status=405)
            page["Allow"] = response.get("Allow", "")
            return page.render()
        return response
