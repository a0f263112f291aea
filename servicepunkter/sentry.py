"""Error reporting to Sentry (README: Production, Errors), started by the settings
only when SENTRY_DSN is set.

An event tells what failed and where, never who or what they sent: no default
personal data (user, client address), no local variables, no request body, cookies,
headers or query string; a secret in a path (servicepunkter/logs.py SECRET_PATHS:
a calendar address, an invitation, a password reset link) and any e-mail address
left in a message or breadcrumb are blanked, and no background job's arguments are
sent (procrastinate names a job with them, and gives them as the log line's extra).
"""

import sentry_sdk
from sentry_sdk.integrations.django import DjangoIntegration

from servicepunkter.logs import (
    E_MAIL,
    E_MAIL_REDACTED,
    JOB_ARGUMENTS,
    call_strings_blanked,
    job_id,
    request_id,
    secrets_blanked,
)

# The request's parts that hold what the person sent or who they are.
REQUEST_KEPT = {"url", "method"}


def _blanked(value):
    if isinstance(value, str):
        return E_MAIL.sub(E_MAIL_REDACTED, call_strings_blanked(secrets_blanked(value)))
    if isinstance(value, dict):
        return {
            key: _blanked(item)
            for key, item in value.items()
            if key not in JOB_ARGUMENTS
        }
    if isinstance(value, list | tuple):
        return [_blanked(item) for item in value]
    return value


def without_personal_data(event, hint=None):
    """Sentry's before_send: the event without the request's body, cookies, headers
    and query, and without e-mail addresses or a calendar address's secret anywhere
    in it; tagged with the request's or job's id that its log lines carry."""
    request = event.get("request")
    if isinstance(request, dict):
        event["request"] = {
            key: value for key, value in request.items() if key in REQUEST_KEPT
        }
    event.pop("user", None)
    # What a job returned (procrastinate's extra "result" on its outcome's line).
    if isinstance(event.get("extra"), dict):
        event["extra"].pop("result", None)
    tags = event.setdefault("tags", {})
    if request_id.get():
        tags["request_id"] = request_id.get()
    if job_id.get():
        tags["job_id"] = job_id.get()
    return _blanked(event)


def breadcrumb_without_personal_data(crumb, hint=None):
    """Sentry's before_breadcrumb: log lines and queries as above."""
    if isinstance(crumb.get("data"), dict):
        crumb["data"].pop("result", None)
    return _blanked(crumb)


def sentry_start(*, dsn, environment, release=None, **options):
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        integrations=[DjangoIntegration()],
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        before_send=without_personal_data,
        before_breadcrumb=breadcrumb_without_personal_data,
        # Errors only: no performance traces.
        traces_sample_rate=None,
        **options,
    )
