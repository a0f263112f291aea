"""Crisis readiness at a glance (Swedish: *trygghetspunkter*): the service points and
the outlets with a role in a crisis, their backup power and when it was last tested.

For the municipality's crisis management: the records of the outlets (the crisis
contact is personal data), so it reads within the user's records scope.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outlets.models import Outlet
from outlets.selectors import service_points_q


class TestState:
    """Where an outlet's backup power stands; the words say it, not only a colour."""

    TESTED = "tested"
    OVERDUE = "overdue"
    NEVER = "never"
    NO_POWER = "no_power"
    UNKNOWN = "unknown"

    LABELS = {
        TESTED: gettext_lazy("Tested within the last year"),
        OVERDUE: gettext_lazy("Test older than a year"),
        NEVER: gettext_lazy("Never tested"),
        NO_POWER: gettext_lazy("No backup power"),
        UNKNOWN: gettext_lazy("Backup power not known"),
    }
    NEEDS_ATTENTION = {OVERDUE, NEVER}


def year_before(day: date) -> date:
    """The same date a year earlier; 28 February for 29 February."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def backup_test_state(outlet, today: date) -> str:
    if outlet.backup_power is None:
        return TestState.UNKNOWN
    if not outlet.backup_power:
        return TestState.NO_POWER
    if outlet.backup_power_tested_on is None:
        return TestState.NEVER
    if outlet.backup_power_tested_on < year_before(today):
        return TestState.OVERDUE
    return TestState.TESTED


@dataclass
class CrisisRow:
    outlet: Outlet
    test_state: str

    @property
    def needs_attention(self):
        return self.test_state in TestState.NEEDS_ATTENTION

    @property
    def test_state_label(self):
        return TestState.LABELS[self.test_state]


def crisis_outlets(user, scope: Q):
    """Open outlets in the user's records scope (and `scope`) that are service
    points or have a crisis role, backup power or a crisis contact."""
    with_role = (
        service_points_q()
        | ~Q(crisis_role="")
        | Q(backup_power=True)
        | ~Q(crisis_contact="")
    )
    return (
        Outlet.objects.with_records_visible_to(user)
        .open()
        .filter(scope)
        .filter(with_role)
        .annotate(
            is_service_point=ExpressionWrapper(
                service_points_q(), output_field=BooleanField()
            )
        )
        .select_related("municipality", "locality")
        .order_by("municipality__name", "name", "pk")
    )


def crisis_rows(outlets, today=None) -> list[CrisisRow]:
    today = today or timezone.localdate()
    return [CrisisRow(outlet, backup_test_state(outlet, today)) for outlet in outlets]


def backup_power_display(outlet) -> str:
    if outlet.backup_power is None:
        return _("Not known")
    if not outlet.backup_power:
        return _("No")
    if outlet.backup_power_kva is not None:
        return _("Yes, %(kva)s kVA") % {"kva": outlet.backup_power_kva}
    return _("Yes")
