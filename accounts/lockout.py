"""Sign-in lockout (django-axes) on the address as sign-in reads it.

Sign-in finds the account case-insensitively (`email__iexact`, PostgreSQL's UPPER()),
so axes must count every spelling that reaches one account under one name: the
account's own address when a spelling reaches one, else the address stripped and
lower-cased. PostgreSQL's UPPER() also folds letters Python's lower() leaves alone
(a dotless ı reaches "administrator@…"), hence the look-up rather than lower() alone.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit, get_lockout_parameters
from django.conf import settings
from django.db.models import Sum

from accounts.models import User


def normalised_address(address) -> str:
    return (address or "").strip().lower()


def account_address(typed) -> str:
    """The address of the account that sign-in reaches with `typed`, or `typed`
    stripped and lower-cased when it reaches none."""
    address = normalised_address(typed)
    account = (
        User.objects.filter(email__iexact=(typed or "").strip())
        .values_list("email", flat=True)
        .first()
    )
    return normalised_address(account) if account else address


def lockout_username(request, credentials=None):
    """AXES_USERNAME_CALLABLE: the name axes counts failures under."""
    if credentials:
        typed = credentials.get(settings.AXES_USERNAME_FORM_FIELD)
    else:
        data = getattr(request, "data", None) or request.POST
        typed = data.get(settings.AXES_USERNAME_FORM_FIELD)
    if typed is None:
        return None
    address = normalised_address(typed)
    memo = request.__dict__.setdefault("_lockout_usernames", {})
    if address not in memo:
        memo[address] = account_address(typed)
    return memo[address]


class AddressLockoutHandler(AxesDatabaseHandler):
    """Locks an address for one client after AXES_FAILURE_LIMIT failures from it, and
    for every client after AXES_ADDRESS_FAILURE_LIMIT failures from anywhere.

    The lock per address and client is the everyday one. A lock per address alone at
    the same five would let anyone lock a colleague out by typing wrong passwords; the
    higher limit for the address alone stops guessing spread over many clients (ASVS
    2.2.1: at most 100 failures an hour on one account) while one client alone can no
    longer lock anyone out but itself.
    """

    def get_failures(self, request, credentials=None) -> int:
        limit = get_failure_limit(request, credentials)
        parameters = get_lockout_parameters(request, credentials)
        worst = 0
        for parameter, attempts in zip(
            parameters, self.get_user_attempts(request, credentials), strict=True
        ):
            failures = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            if parameter == "username":
                # Counted in units of the per-client limit: locked at the address limit.
                failures = failures * limit // settings.AXES_ADDRESS_FAILURE_LIMIT
            worst = max(worst, failures)
        return worst

    def reset_user_attempts(self, request, credentials=None) -> int:
        """A successful sign-in clears this client's failures only: those from other
        clients still count towards the address's limit for the cool-off time."""
        attempts_list = self.filter_user_attempts(request, credentials)
        parameters = get_lockout_parameters(request, credentials)
        count = 0
        for parameter, attempts in zip(parameters, attempts_list, strict=True):
            if parameter != "username":
                count += attempts.delete()[0]
        return count
