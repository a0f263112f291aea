"""What a municipality's agreements are made from: its contracting parties, its
service catalogue, and the programme's budget and settings."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from agreements.models import (
    Party,
    ProgrammeBudget,
    ProgrammeSettings,
    Service,
)
from agreements.permissions import can_edit_catalogue
from agreements.services.access import check_manager


@transaction.atomic
def party_save(*, party: Party, by) -> Party:
    """Add or change a contracting party of the editor's municipality.

    Bank details take effect when a second person confirms them
    (`party_confirm_bank_details`): a new party's wait as entered, a confirmed
    party's change waits in the pending fields while payouts still go to the
    confirmed details.
    """
    if party.municipality_id is None:
        party.municipality_id = by.municipality_id
    check_manager(by, party.municipality_id)
    if party.pk is None:
        party.bank_details_entered_by = by
        party.bank_details_confirmed_by = None
        party.bank_details_confirmed_at = None
    else:
        _party_bank_details_change(party, by)
    party.full_clean()
    party.save()
    return party


BANK_DETAILS_CONTROL = [
    "bank_details_entered_by",
    "bank_details_confirmed_by",
    "bank_details_confirmed_at",
    "pending_bankgiro",
    "pending_plusgiro",
    "pending_entered_by",
    "pending_entered_at",
]


def _party_bank_details_change(party, by):
    """The form's bankgiro and plusgiro are what the editor wants paid to: kept as
    they are stored unless they differ from what is in effect or waiting."""
    stored = Party.objects.select_for_update().get(pk=party.pk)
    if stored.municipality_id != party.municipality_id:
        raise PermissionDenied
    wanted = (party.bankgiro, party.plusgiro)
    for name in BANK_DETAILS_CONTROL:
        setattr(party, name, getattr(stored, name))
    party.bankgiro, party.plusgiro = current = (stored.bankgiro, stored.plusgiro)
    proposed = (
        (stored.pending_bankgiro, stored.pending_plusgiro)
        if stored.has_pending_bank_details
        else current
    )
    if wanted == proposed:
        return
    if stored.bank_details_confirmed_at is None:
        # Never confirmed: nothing is in effect to keep.
        party.bankgiro, party.plusgiro = wanted
        party.bank_details_entered_by = by
    elif wanted == current:
        # Back to the confirmed details: the waiting change is withdrawn.
        party.pending_bankgiro = party.pending_plusgiro = ""
        party.pending_entered_by = party.pending_entered_at = None
    else:
        party.pending_bankgiro, party.pending_plusgiro = wanted
        party.pending_entered_by = by
        party.pending_entered_at = timezone.now()


@transaction.atomic
def service_save(*, service: Service, by) -> Service:
    """Add or change a service in the municipality's catalogue (administrators)."""
    if service.municipality_id is None:
        service.municipality_id = by.municipality_id
    if not can_edit_catalogue(by) or by.municipality_id != service.municipality_id:
        raise PermissionDenied
    service.full_clean()
    service.save()
    return service


# The services DOMAIN.md names, as a new catalogue's starting point; each municipality
# edits its own copy. Fees follow the common 10 000 kr per service and year.
DEFAULT_SERVICES = [
    (
        "Kommuninformation",
        "Informationsställ med kommunens aktuella broschyrer och anslag, uppdaterat.",
        "Material och skylt.",
    ),
    (
        "Blankettservice",
        "Hjälper besökare att hitta och lämna in myndigheters blanketter.",
        "Blanketter och utbildning av personalen.",
    ),
    (
        "Publik dator med internet",
        "En dator för allmänheten, placerad för anonym användning.",
        "Dator, skrivare och licenser.",
    ),
    (
        "Mötesplats",
        "En plats med bord och stolar där bygden kan träffas under öppettiderna.",
        "",
    ),
    (
        "Hemsändning av dagligvaror",
        "Kör ut beställda varor till hushåll enligt kommunens regler.",
        "Ersättning per körning enligt avtal.",
    ),
    ("Paketutlämning", "Tar emot och lämnar ut paket.", ""),
    ("Kontantuttag", "Erbjuder kontantuttag i kassan.", ""),
    (
        "Webbkamera för myndighetsmöten",
        "Ett avskilt utrymme med kamera för videomöten med myndigheter.",
        "Kamera och programvara.",
    ),
    ("Turistinformation", "Informerar besökare om bygden och hänvisar vidare.", ""),
    ("Inköpsresor", "Samordnar inköpsresor för äldre och andra utan bil.", ""),
    (
        "Trygghetspunkt vid kris",
        "Fungerar som samlingsplats och informationspunkt vid större olyckor och "
        "kriser, med reservkraft.",
        "Krisutbildning och informationsmaterial.",
    ),
]


# What each default service means to a customer, for the public pages and the sign.
DEFAULT_PUBLIC_DESCRIPTIONS = {
    "Kommuninformation": "Broschyrer och anslag från kommunen",
    "Blankettservice": "Hjälp att hitta och lämna in blanketter till myndigheter",
    "Publik dator med internet": "En dator med internet som alla får använda",
    "Mötesplats": "Bord och stolar där du kan sitta ner och träffa andra",
    "Hemsändning av dagligvaror": "Matvaror körs hem till dig som inte kan ta dig hit",
    "Paketutlämning": "Hämta och lämna paket",
    "Kontantuttag": "Ta ut kontanter i kassan",
    "Webbkamera för myndighetsmöten": "Ett avskilt rum för videomöten med myndigheter",
    "Turistinformation": "Tips om vad du kan se och göra i bygden",
    "Inköpsresor": "Gemensamma resor för att handla, för dig utan bil",
    "Trygghetspunkt vid kris": "Samlingsplats med information och reservkraft vid kris",
}


@transaction.atomic
def service_catalogue_seed(*, municipality) -> list[Service]:
    """Give a municipality the default services it does not have yet; return its
    whole catalogue."""
    Service.objects.bulk_create(
        [
            Service(
                municipality=municipality,
                name=name,
                shop_commitment=commitment,
                municipality_provides=provides,
                public_description=DEFAULT_PUBLIC_DESCRIPTIONS.get(name, ""),
                default_annual_fee=10_000,
            )
            for name, commitment, provides in DEFAULT_SERVICES
        ],
        ignore_conflicts=True,
    )
    return list(Service.objects.filter(municipality=municipality).order_by("pk"))


@transaction.atomic
def budget_set(*, municipality, year: int, amount: int, by) -> ProgrammeBudget:
    """Set the programme's budget for a calendar year (administrators)."""
    if not can_edit_catalogue(by) or by.municipality_id != municipality.pk:
        raise PermissionDenied
    budget, _created = ProgrammeBudget.objects.update_or_create(
        municipality=municipality, year=year, defaults={"amount": amount}
    )
    return budget


@transaction.atomic
def programme_settings_save(*, programme: ProgrammeSettings, by) -> ProgrammeSettings:
    """The municipality's programme settings (administrators)."""
    if not can_edit_catalogue(by) or by.municipality_id != programme.municipality_id:
        raise PermissionDenied
    programme.full_clean()
    programme.save()
    return programme
