"""Middleware every app shares: the limit on what a request may send."""

from django.conf import settings
from django.contrib.auth.middleware import get_user
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import Resolver404, resolve
from django.utils.functional import SimpleLazyObject


class RequestBodyLimitMiddleware:
    """Refuse a request body over its limit before anything reads it: 413.

    Django reads a whole multipart body, spooling files to disk, the first time
    anything touches `request.POST` or `request.FILES`, and CsrfViewMiddleware does
    so; this middleware must come before it (and before anything else that reads
    the body), after the session middleware, which does not read it. The declared
    Content-Length decides: Django's request stream never reads past it, and reads a
    body without one (chunked) as empty, so such a body is refused with 411.

    Anonymous requests may send `REQUEST_MAX_BYTES_ANONYMOUS`; signed-in users
    `REQUEST_MAX_BYTES_SIGNED_IN`, or on an upload page (by URL name in
    `REQUEST_MAX_BYTES_BY_VIEW`) its file's limit plus `REQUEST_UPLOAD_FORM_BYTES`
    for the rest of the form.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads such a body as empty too
        chunked = "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked and not request.META.get("CONTENT_LENGTH"):
            return self.refuse(request, status=411, limit=None)
        # The common case costs nothing: no session or URL look-up.
        if length > settings.REQUEST_MAX_BYTES_ANONYMOUS:
            limit = self.limit_for(request)
            if length > limit:
                return self.refuse(request, status=413, limit=limit)
        return self.get_response(request)

    def limit_for(self, request):
        if not get_user(request).is_authenticated:
            return settings.REQUEST_MAX_BYTES_ANONYMOUS
        try:
            view_name = resolve(request.path_info).view_name
        except Resolver404:
            return settings.REQUEST_MAX_BYTES_SIGNED_IN
        upload = settings.REQUEST_MAX_BYTES_BY_VIEW.get(view_name)
        if upload is None:
            return settings.REQUEST_MAX_BYTES_SIGNED_IN
        if isinstance(upload, str):  # the name of the setting that holds it
            upload = getattr(settings, upload)
        return upload + settings.REQUEST_UPLOAD_FORM_BYTES

    def refuse(self, request, *, status, limit):
        # The page's header shows who is signed in; the session has been read already.
        request.user = SimpleLazyObject(lambda: get_user(request))
        response = TemplateResponse(
            request,
            "413.html",
            {"limit": filesizeformat(limit) if limit else None},
            status=status,
        )
        # No Connection header: WSGI forbids hop-by-hop headers (runserver answered
        # 500 to one); the server closes a connection whose body was left unread.
        return response.render()
