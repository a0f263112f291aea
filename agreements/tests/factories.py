import datetime

import factory
from django.utils import timezone
from stdnum import luhn

from accounts.tests.factories import UserFactory
from agreements.models import (
    Agreement,
    AgreementService,
    AgreementVersion,
    Party,
    ProgrammeSettings,
    Service,
    Signature,
)
from agreements.services import agreement_reference_next
from outlets.tests.factories import OutletFactory, municipality


def organisation_number(n: int) -> str:
    """A valid organisation number of a limited company (5569xx-xxxx), one per n."""
    digits = f"5569{n % 100_000:05d}"
    return f"{digits[:6]}-{digits[6:]}{luhn.calc_check_digit(digits)}"


def bankgiro(n: int) -> str:
    """A valid eight-digit bankgiro number (NNNN-NNNN), one per n."""
    digits = f"5{n % 1_000_000:06d}"
    return f"{digits[:4]}-{digits[4:]}{luhn.calc_check_digit(digits)}"


class ProgrammeSettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgrammeSettings
        django_get_or_create = ("municipality",)

    municipality = factory.LazyFunction(lambda: municipality("2401"))


class ServiceFactory(factory.django.DjangoModelFactory):
    """A service in Nordmaling's catalogue; the same name gives the same service."""

    class Meta:
        model = Service
        django_get_or_create = ("municipality", "name")

    municipality = factory.LazyFunction(lambda: municipality("2401"))
    name = factory.Sequence(lambda n: f"Tjänst {n}")
    shop_commitment = "Erbjuder tjänsten under butikens öppettider."
    municipality_provides = ""
    default_annual_fee = 10_000


class PartyFactory(factory.django.DjangoModelFactory):
    """A limited company in Nordmaling with a valid organisation number and bankgiro."""

    class Meta:
        model = Party

    municipality = factory.LazyFunction(lambda: municipality("2401"))
    name = factory.Sequence(lambda n: f"Lanthandeln {n} AB")
    organisation_number = factory.Sequence(organisation_number)
    bankgiro = factory.Sequence(bankgiro)
    address = "Byvägen 1, 914 90 Nordmaling"
    signatory_name = factory.Sequence(lambda n: f"Kim Handlare {n}")
    signatory_title = "Verkställande direktör"
    email = factory.Sequence(lambda n: f"butik{n}@handlarn.example")
    # Confirmed by a second person, as bank details must be before payouts.
    bank_details_confirmed_at = factory.LazyFunction(timezone.now)


class AgreementFactory(factory.django.DjangoModelFactory):
    """A draft agreement of Nordmaling with an outlet and a party of its own."""

    class Meta:
        model = Agreement

    municipality = factory.LazyFunction(lambda: municipality("2401"))
    outlet = factory.SubFactory(
        OutletFactory, municipality=factory.SelfAttribute("..municipality")
    )
    party = factory.SubFactory(
        PartyFactory, municipality=factory.SelfAttribute("..municipality")
    )
    state = Agreement.State.DRAFT
    starts_on = None
    # A draft has no reference; one made in another state takes the next number as
    # the app would have given it.
    reference = factory.LazyAttribute(
        lambda agreement: (
            ""
            if agreement.state == Agreement.State.DRAFT
            else agreement_reference_next(
                municipality=agreement.municipality,
                year=(agreement.starts_on or datetime.date(2026, 1, 1)).year,
            )
        )
    )


# Three services that add up to 40 000 kr a year, as many Nordmaling agreements do.
DEFAULT_SERVICES = [
    (
        "Kommunal information",
        15_000,
        "Informationshylla vid entrén; kommunens affischer uppsatta inom en vecka.",
        "Broschyrer och affischer, samt utbildning av personalen en gång per år.",
    ),
    (
        "Mötesplats",
        15_000,
        "Sittplatser för sex personer, öppet måndag–lördag 10–18; fyra aktiviteter "
        "per år tillsammans med byalaget.",
        "Bord och stolar.",
    ),
    (
        "Paketutlämning",
        10_000,
        "Paketutlämning för minst två ombudsföretag.",
        "",
    ),
]


class AgreementVersionFactory(factory.django.DjangoModelFactory):
    """Version 1 of a draft agreement: three services, 40 000 kr a year.

    Pass `services=[]` for none, or a list of (name, annual fee) pairs.
    """

    class Meta:
        model = AgreementVersion
        skip_postgeneration_save = True

    agreement = factory.SubFactory(AgreementFactory)
    number = 1
    effective_on = factory.SelfAttribute("starts_on")
    decision_registration_number = factory.Sequence(lambda n: f"KS 2025/{100 + n}")
    decision_body = "Kommunstyrelsen"
    decision_date = datetime.date(2025, 11, 18)
    decision_paragraph = "142"
    space = (
        "En yta om cirka 6 m² i butikens främre del med bord, stolar och en "
        "publik dator med internetanslutning."
    )
    annual_compensation = 40_000
    vat_rate_percent = 25
    payout_frequency_months = AgreementVersion.PayoutFrequency.QUARTERLY
    payout_timing = AgreementVersion.PayoutTiming.ARREARS
    payment_days = 30
    payout_requires_followup = True
    payout_requires_report = False
    starts_on = datetime.date(2026, 1, 1)
    initial_term_months = 36
    extension_months = 12
    notice_period_months = 3
    decision_lead_days = 30

    @factory.post_generation
    def services(self, create, extracted, **kwargs):
        if not create:
            return
        if extracted is None:
            for name, fee, commitments, provides in DEFAULT_SERVICES:
                service = ServiceFactory(
                    municipality=self.agreement.municipality,
                    name=name,
                    shop_commitment="",
                    municipality_provides=provides,
                    default_annual_fee=fee,
                )
                AgreementServiceFactory(
                    version=self,
                    service=service,
                    annual_fee=fee,
                    commitments=commitments,
                )
            return
        for name, fee in extracted:
            service = ServiceFactory(
                municipality=self.agreement.municipality,
                name=name,
                default_annual_fee=fee,
            )
            AgreementServiceFactory(version=self, service=service, annual_fee=fee)


class AgreementServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgreementService

    version = factory.SubFactory(AgreementVersionFactory, services=[])
    service = factory.SubFactory(
        ServiceFactory,
        municipality=factory.SelfAttribute("..version.agreement.municipality"),
    )
    annual_fee = factory.SelfAttribute("service.default_annual_fee")
    commitments = ""


class SignatureFactory(factory.django.DjangoModelFactory):
    """The municipality's signature in the app; the `party` trait signs for the shop."""

    class Meta:
        model = Signature

    version = factory.SubFactory(AgreementVersionFactory)
    side = Signature.Side.MUNICIPALITY
    method = Signature.Method.IN_APP
    signed_by_name = "Eva Lindström"
    signed_by_title = "Kommunstyrelsens ordförande"
    signed_at = factory.LazyFunction(
        lambda: timezone.make_aware(datetime.datetime(2025, 12, 1, 10, 15))
    )
    user = factory.SubFactory(UserFactory)

    class Params:
        party = factory.Trait(
            side=Signature.Side.PARTY,
            signed_by_name=factory.SelfAttribute(
                "version.agreement.party.signatory_name"
            ),
            signed_by_title=factory.SelfAttribute(
                "version.agreement.party.signatory_title"
            ),
            signed_at=factory.LazyFunction(
                lambda: timezone.make_aware(datetime.datetime(2025, 12, 3, 14, 40))
            ),
        )
        on_paper = factory.Trait(method=Signature.Method.PAPER)
