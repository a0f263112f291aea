import datetime

from agreements.models import Agreement
from agreements.tests.factories import AgreementFactory
from outlets.tests.factories import OutletFactory


def service_point(outlet=None, *, starts_on=datetime.date(2025, 1, 1), **outlet_fields):
    """An outlet with a signed agreement in force: a service point."""
    outlet = outlet or OutletFactory(**outlet_fields)
    AgreementFactory(
        outlet=outlet,
        municipality=outlet.municipality,
        state=Agreement.State.SIGNED,
        signed_on=starts_on - datetime.timedelta(days=30),
        starts_on=starts_on,
    )
    return outlet
