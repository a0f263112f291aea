import datetime

import factory

from outlets.tests.factories import OutletFactory, municipality
from programme.models import Investment, ProgrammeGoals


class ProgrammeGoalsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgrammeGoals

    municipality = factory.LazyFunction(lambda: municipality("2401"))
    year = 2026


class InvestmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Investment

    outlet = factory.SubFactory(OutletFactory)
    description = "Uttagsautomat"
    made_on = datetime.date(2026, 3, 15)
    cost = 120_000
    regional_grant = 60_000
    municipal_funding = 30_000
    own_funding = 30_000
    decision_reference = "KS 2026/41"
