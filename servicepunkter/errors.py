"""The answer to an error no view handled (settings: handler500 in urls.py).

With the database out of reach, every page fails the same way, wherever the first
query happens (the session, the user, the view, a middleware's answer): those
failures get a 503 that says to come back in a while, with Retry-After, rendered
from templates/503.html without a request context, so without a query. Every other
error is Django's 500 page.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.views.defaults import server_error as django_server_error

# Seconds a client (or a load balancer) should wait before asking again.
RETRY_AFTER_SECONDS = 60


def database_unreachable(exception):
    """Whether `exception`, or one it was raised from, says the database cannot be
    reached (Django's wrappers of psycopg's OperationalError and InterfaceError)."""
    seen = set()
    while exception is not None and id(exception) not in seen:
        if isinstance(exception, (OperationalError, InterfaceError)):
            return True
        seen.add(id(exception))
        exception = exception.__cause__ or exception.__context__
    return False


def service_unavailable(request=None):
    """templates/503.html with Retry-After; no context processor, no query."""
    response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request, template_name="500.html"):
    """handler500: 503 when the database is out of reach, Django's 500 otherwise.
    Called while the exception is being handled, so sys.exc_info() holds it."""
    if database_unreachable(sys.exc_info()[1]):
        return service_unavailable(request)
    return django_server_error(request, template_name=template_name)
