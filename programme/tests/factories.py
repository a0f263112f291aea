import datetime

import factory

from agreements.tests.factories import AgreementFactory
from outlets.tests.factories import OutletFactory, municipality
from programme.models import Investment, ProgrammeGoals


class ProgrammeGoalsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgrammeGoals

    municipality = factory.LazyFunction(lambda: municipality("2401"))
    year = 2026


def in_programme(outlet):
    """The outlet with a draft agreement, as investments are recorded for outlets
    that have or had an agreement; unchanged if it has one."""
    if not outlet.agreements.exists():
        AgreementFactory(municipality=outlet.municipality, outlet=outlet)
    return outlet


class InvestmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Investment
        skip_postgeneration_save = True

    outlet = factory.SubFactory(OutletFactory)
    description = "Uttagsautomat"
    made_on = datetime.date(2026, 3, 15)
    cost = 120_000
    regional_grant = 60_000
    municipal_funding = 30_000
    own_funding = 30_000
    decision_reference = "KS 2026/41"

    @factory.post_generation
    def with_agreement(investment, create, extracted, **kwargs):
        """At an outlet in the programme (for one that is
        not: with_agreement=False, as one recorded before the rule may be)."""
        if create and extracted is not False:
            in_programme(investment.outlet)
