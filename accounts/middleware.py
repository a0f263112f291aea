import time

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.urls import reverse

from accounts.two_factor import SETUP, VERIFY, two_factor_step

SIGNED_IN_AT = "signed_in_at"
LAST_SEEN_AT = "last_seen_at"
# Why the session before this one ended, for the sign-in page: "idle" or "too_old".
SIGNED_OUT_BECAUSE = "signed_out_because"
# Page loads closer together than this do not rewrite the session.
LAST_SEEN_STEP = 60


@receiver(user_logged_in)
def session_clock_start(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[SIGNED_IN_AT] = now
        request.session[LAST_SEEN_AT] = now


class SessionLimitsMiddleware:
    """Signs out a session idle for SESSION_IDLE_MINUTES or older than SESSION_MAX_HOURS
    (ASVS 3.3.2), before anything acts on its user.

    The same idle limit holds for every role: a shop owner's pages hold the shop's
    agreements and payouts, staff pages more. Activity is a GET (a page or a file),
    recorded at most once a minute: a refused POST writes nothing.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            self.check(request)
        return self.get_response(request)

    def check(self, request):
        session = request.session
        now = int(time.time())
        signed_in_at = session.get(SIGNED_IN_AT)
        last_seen_at = session.get(LAST_SEEN_AT)
        if signed_in_at is None or last_seen_at is None:
            # A session from before these limits: they start now.
            session[SIGNED_IN_AT] = signed_in_at or now
            session[LAST_SEEN_AT] = now
            return
        idle = now - last_seen_at > settings.SESSION_IDLE_MINUTES * 60
        too_old = now - signed_in_at > settings.SESSION_MAX_HOURS * 60 * 60
        if idle or too_old:
            logout(request)
            session[SIGNED_OUT_BECAUSE] = "idle" if idle else "too_old"
            return
        if request.method in ("GET", "HEAD") and now - last_seen_at >= LAST_SEEN_STEP:
            session[LAST_SEEN_AT] = now


class TwoFactorMiddleware:
    """A signed-in user who owes a second factor reaches only the page of that step
    (setting up an app, or giving a code from it), signing out, the language switch
    and the pages open to everyone (the public pages, the statements, a calendar
    feed, which asks no sign-in and must not carry its secret into a `next`
    parameter). Everything else redirects there, keeping where they were going."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        request.two_factor_step = None
        if user.is_authenticated and not user.is_verified():
            request.two_factor_step = self.step_owed(request)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        step = request.two_factor_step
        if step is None or not getattr(view_func, "login_required", True):
            return None
        step_url = reverse(STEP_URLS[step])
        if request.path in (step_url, *always_reachable()):
            return None
        return redirect_to_login(request.get_full_path(), step_url, REDIRECT_FIELD_NAME)

    @staticmethod
    def step_owed(request):
        """The step noted at sign-in, so that most pages ask the database
        nothing; looked up afresh while a step is owed (an app may have been reset
        meanwhile) and for a role that requires one."""
        step = request.session.get(TWO_FACTOR_STEP)
        if step != NO_STEP or request.user.requires_two_factor:
            step = request.session[TWO_FACTOR_STEP] = (
                two_factor_step(request.user) or NO_STEP
            )
        return step or None


@receiver(user_logged_in)
def two_factor_step_note(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[TWO_FACTOR_STEP] = two_factor_step(user) or NO_STEP


# The two-factor step a session owes, noted at sign-in; NO_STEP: none.
TWO_FACTOR_STEP = "two_factor_step"
NO_STEP = ""

STEP_URLS = {SETUP: "accounts:two_factor_setup", VERIFY: "accounts:two_factor_verify"}


def always_reachable():
    return (reverse("accounts:logout"), reverse("set_language"))
