"""What a municipality's agreements are made from: its contracting parties, its
service catalogue, and the programme's budget and settings."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

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
    """Add or change a contracting party of the editor's municipality."""
    if party.municipality_id is None:
        party.municipality_id = by.municipality_id
    check_manager(by, party.municipality_id)
    party.full_clean()
    party.save()
    return party


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
