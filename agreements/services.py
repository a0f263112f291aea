"""Actions on agreements: each one a named transition with its permission check."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.models import (
    Agreement,
    AgreementService,
    AgreementVersion,
    Party,
    Payout,
    ProgrammeBudget,
    ProgrammeSettings,
    Service,
    Signature,
)
from agreements.payouts import payout_schedule
from agreements.permissions import (
    can_edit_catalogue,
    can_manage_agreements,
    can_sign_for_party,
)
from agreements.signals import agreement_signed


@dataclass(frozen=True)
class ServiceLine:
    """A service chosen for an agreement, with its fee and commitments."""

    service: object
    annual_fee: int
    commitments: str = ""


def _check_manager(by, agreement_or_municipality_id):
    municipality_id = getattr(
        agreement_or_municipality_id, "municipality_id", agreement_or_municipality_id
    )
    if not can_manage_agreements(by) or by.municipality_id != municipality_id:
        raise PermissionDenied


def _next_reference(municipality, year):
    prefix = f"SP-{municipality.code}-{year}-"
    taken = Agreement.objects.filter(reference__startswith=prefix).values_list(
        "reference", flat=True
    )
    number = max((int(reference.rsplit("-", 1)[1]) for reference in taken), default=0)
    return f"{prefix}{number + 1:03d}"


def _validate_services(version, lines: list[ServiceLine]):
    programme = ProgrammeSettings.for_municipality(version.agreement.municipality)
    if len(lines) < programme.minimum_services:
        raise ValidationError(
            _("Choose at least %(count)s services.")
            % {"count": programme.minimum_services},
            code="too_few_services",
        )
    services = [line.service for line in lines]
    if len(set(services)) != len(services):
        raise ValidationError(
            _("Each service can be chosen once."), code="service_twice"
        )
    if any(
        line.service.municipality_id != version.agreement.municipality_id
        for line in lines
    ):
        raise PermissionDenied


@transaction.atomic
def agreement_create(
    *,
    by,
    outlet,
    party: Party,
    version_fields: dict,
    services: Iterable[ServiceLine],
) -> Agreement:
    """A draft agreement with its first version (Swedish: *utkast*)."""
    _check_manager(by, outlet.municipality_id)
    if party.municipality_id != outlet.municipality_id:
        raise PermissionDenied
    lines = list(services)
    starts_on = version_fields["starts_on"]
    agreement = Agreement(
        municipality=outlet.municipality,
        outlet=outlet,
        party=party,
        reference=_next_reference(outlet.municipality, starts_on.year),
    )
    agreement.full_clean()
    agreement.save()
    version = AgreementVersion(
        agreement=agreement, number=1, effective_on=starts_on, **version_fields
    )
    _version_save(version, lines)
    return agreement


@transaction.atomic
def agreement_update_draft(
    *, agreement: Agreement, by, version_fields: dict, services: Iterable[ServiceLine]
) -> Agreement:
    """Change a draft's terms; a version ready for signature no longer changes."""
    _check_manager(by, agreement)
    version = agreement.versions.select_for_update().order_by("-number").first()
    if version.is_frozen:
        raise ValidationError(
            _("The version is frozen for signature and cannot be changed."),
            code="frozen",
        )
    for name, value in version_fields.items():
        setattr(version, name, value)
    if version.number == 1:
        version.effective_on = version.starts_on
    version.services.all().delete()
    _version_save(version, list(services))
    return agreement


def _version_save(version, lines):
    _validate_services(version, lines)
    if not version.annual_compensation:
        version.annual_compensation = sum(line.annual_fee for line in lines)
    version.full_clean()
    version.save()
    AgreementService.objects.bulk_create(
        AgreementService(
            version=version,
            service=line.service,
            annual_fee=line.annual_fee,
            commitments=line.commitments,
        )
        for line in lines
    )


@transaction.atomic
def agreement_mark_ready(*, agreement: Agreement, by) -> Agreement:
    """Freeze the latest version: render its document, store it with its hash."""
    from agreements.documents import (
        agreement_render_pdf,
        document_snapshot,
        sha256_hex,
    )

    _check_manager(by, agreement)
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    version = agreement.versions.order_by("-number").first()
    if version.is_frozen:
        raise ValidationError(_("The version is already frozen."), code="frozen")
    if not version.services.exists():
        raise ValidationError(
            _("Choose the services before the agreement is signed."),
            code="no_services",
        )
    version.full_clean()
    version.document_snapshot = document_snapshot(version)
    pdf = agreement_render_pdf(version=version)
    version.document.save(
        f"{agreement.reference}-v{version.number}.pdf", ContentFile(pdf), save=False
    )
    version.document_sha256 = sha256_hex(pdf)
    version.save(update_fields=["document_snapshot", "document", "document_sha256"])
    if version.number == 1:
        agreement.state = Agreement.State.READY
        agreement.save(update_fields=["state"])
    return agreement


@transaction.atomic
def agreement_sign(
    *,
    agreement: Agreement,
    by,
    side: str,
    name: str,
    title: str,
    password: str = "",
    paper_scan=None,
) -> Agreement:
    """One side's signature on the frozen version, in the app or as a paper scan.

    In the app the signatory confirms with their own password: the municipality's
    side by an official or administrator, the service point's by the outlet's owner.
    On paper, an official uploads the scan of the signed page for either side. When
    both sides have signed, the final document is rendered, stored and sealed.
    """
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    version = agreement.versions.order_by("-number").first()
    if not version.is_frozen or version.signed_at:
        raise ValidationError(
            _("Only a version ready for signature can be signed."),
            code="not_ready",
        )
    if paper_scan is not None:
        _check_manager(by, agreement)
        method = Signature.Method.PAPER
    else:
        if side == Signature.Side.MUNICIPALITY:
            _check_manager(by, agreement)
        elif not can_sign_for_party(by, agreement):
            raise PermissionDenied
        if not by.check_password(password):
            raise ValidationError(
                {"password": _("The password is wrong.")}, code="wrong_password"
            )
        method = Signature.Method.IN_APP
    if version.signatures.filter(side=side).exists():
        raise ValidationError(_("This side has already signed."), code="signed_twice")
    signature = Signature(
        version=version,
        side=side,
        method=method,
        signed_by_name=name,
        signed_by_title=title,
        signed_at=timezone.now(),
        user=by,
    )
    if paper_scan is not None:
        signature.paper_scan.save(
            f"{agreement.reference}-v{version.number}-{side}.pdf",
            paper_scan,
            save=False,
        )
    signature.full_clean()
    signature.save()
    if version.signatures.count() == 2:
        _version_complete(agreement, version)
    return agreement


def _version_complete(agreement, version):
    from agreements.documents import (
        Attachment,
        agreement_render_pdf,
        pdf_seal,
        sha256_hex,
    )

    signatures = list(version.signatures.all())
    attachments = [
        Attachment(
            filename=signature.paper_scan.name.rsplit("/", 1)[-1],
            content=signature.paper_scan.read(),
            description=_("Scan of the paper signed for %(side)s")
            % {"side": signature.get_side_display().lower()},
        )
        for signature in signatures
        if signature.paper_scan
    ]
    pdf = agreement_render_pdf(
        version=version, signatures=signatures, attachments=attachments
    )
    sealed = pdf_seal(pdf)
    final = sealed or pdf
    version.signed_document.save(
        f"{agreement.reference}-v{version.number}-signed.pdf",
        ContentFile(final),
        save=False,
    )
    version.signed_document_sha256 = sha256_hex(final)
    version.is_sealed = sealed is not None
    version.signed_at = max(signature.signed_at for signature in signatures)
    version.save(
        update_fields=[
            "signed_document",
            "signed_document_sha256",
            "is_sealed",
            "signed_at",
        ]
    )
    if version.number > 1:
        # Payouts not yet approved are planned again under the amended terms.
        agreement.payouts.filter(
            status=Payout.Status.PLANNED, period_end__gte=version.effective_on
        ).delete()
        payouts_plan(agreement=agreement)
        return
    term = version.term
    if agreement.replaces_id:
        _replaced_end(agreement, version.starts_on)
    agreement.state = Agreement.State.SIGNED
    agreement.signed_on = timezone.localdate(version.signed_at)
    agreement.starts_on = version.starts_on
    agreement.ends_on = term.fixed_end()
    try:
        with transaction.atomic():
            agreement.save(update_fields=["state", "signed_on", "starts_on", "ends_on"])
    except IntegrityError:
        raise ValidationError(
            _("The outlet already has an agreement in force during this term."),
            code="overlap",
        ) from None
    payouts_plan(agreement=agreement)
    transaction.on_commit(
        lambda: agreement_signed.send(sender=Agreement, agreement=agreement)
    )


def payouts_plan(*, agreement: Agreement, today: date | None = None):
    """Plan the payouts through the agreement's end, or its current period's end."""
    version = agreement.first_version()
    term = version.term
    today = today or timezone.localdate()
    until = agreement.ends_on or term.period_on(max(today, term.starts_on)).ends_on
    existing = set(agreement.payouts.values_list("period_start", flat=True))
    signed_versions = sorted(
        (v for v in agreement.versions.all() if v.signed_at), key=lambda v: v.number
    )
    Payout.objects.bulk_create(
        Payout(
            agreement=agreement,
            agreement_year=planned.agreement_year,
            period_start=planned.period_start,
            period_end=planned.period_end,
            due_on=planned.due_on,
            condition_year=planned.condition_year,
            requires_followup=planned.requires_followup,
            requires_report=planned.requires_report,
            **_amounts_by_version(planned, signed_versions),
        )
        for planned in payout_schedule(
            starts_on=version.starts_on,
            until=until,
            annual_compensation=version.annual_compensation,
            vat_rate_percent=version.vat_rate_percent,
            frequency_months=version.payout_frequency_months,
            in_advance=version.payout_timing == AgreementVersion.PayoutTiming.ADVANCE,
            payment_days=version.payment_days,
            requires_followup=version.payout_requires_followup,
            requires_report=version.payout_requires_report,
        )
        if planned.period_start not in existing
    )


def payouts_plan_ahead(*, today: date | None = None) -> int:
    """Plan the payouts of every signed agreement through its current period.

    A tacitly extended agreement's next period's payouts are planned once that period
    has begun: the daily job calls this. Returns the number of agreements looked at.
    """
    today = today or timezone.localdate()
    agreements = (
        Agreement.objects.signed()
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .prefetch_related("versions")
    )
    count = 0
    for agreement in agreements.iterator(chunk_size=200):
        with transaction.atomic():
            payouts_plan(agreement=agreement, today=today)
        count += 1
    return count


def _amounts_by_version(planned, versions):
    """A payout's amount and VAT under the versions in force during its period.

    The first version's schedule gives each instalment's share of the year; a period
    that an amendment's effective date splits is paid pro rata by days under each
    version, rounded down to whole kronor.
    """
    if len(versions) <= 1:
        return {"amount": planned.amount, "vat_amount": planned.vat_amount}
    first = versions[0]
    days_total = (planned.period_end - planned.period_start).days + 1
    amount = vat = 0
    for index, version in enumerate(versions):
        following = versions[index + 1] if index + 1 < len(versions) else None
        start = max(planned.period_start, version.effective_on)
        end = planned.period_end
        if following is not None:
            end = min(end, following.effective_on - timedelta(days=1))
        days = (end - start).days + 1
        if days <= 0:
            continue
        part = (
            planned.amount
            * version.annual_compensation
            * days
            // (first.annual_compensation * days_total)
        )
        amount += part
        vat += round(part * version.vat_rate_percent / 100)
    return {"amount": amount, "vat_amount": vat}


@transaction.atomic
def agreement_amend(*, agreement: Agreement, by, effective_on: date, reason: str):
    """Start an amendment (Swedish: *tillägg*): a new draft version, a copy of the
    terms in force, that is changed, frozen and signed in its turn."""
    _check_manager(by, agreement)
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    latest = agreement.versions.order_by("-number").first()
    if agreement.state != Agreement.State.SIGNED or not latest.signed_at:
        raise ValidationError(
            _("Only a signed agreement without a pending amendment can be amended."),
            code="not_amendable",
        )
    if effective_on < agreement.starts_on or (
        agreement.ends_on and effective_on > agreement.ends_on
    ):
        raise ValidationError(
            {"effective_on": _("The amendment must take effect during the agreement.")}
        )
    if not reason.strip():
        raise ValidationError({"reason": _("Write why the agreement is amended.")})
    services = list(latest.services.all())
    amendment = latest
    amendment.pk = None
    amendment._state.adding = True
    amendment.number = latest.number + 1
    amendment.effective_on = effective_on
    amendment.amendment_reason = reason
    amendment.document = amendment.signed_document = ""
    amendment.document_sha256 = amendment.signed_document_sha256 = ""
    amendment.is_sealed = False
    amendment.signed_at = None
    amendment.full_clean()
    amendment.save()
    AgreementService.objects.bulk_create(
        AgreementService(
            version=amendment,
            service=line.service,
            annual_fee=line.annual_fee,
            commitments=line.commitments,
        )
        for line in services
    )
    return amendment


# The terms a renewal copies from the agreement it replaces.
RENEWED_FIELDS = [
    "decision_registration_number",
    "decision_body",
    "decision_date",
    "decision_paragraph",
    "space",
    "annual_compensation",
    "compensation_justification",
    "vat_rate_percent",
    "payout_frequency_months",
    "payout_timing",
    "payment_days",
    "payout_requires_followup",
    "payout_requires_report",
    "initial_term_months",
    "extension_months",
    "notice_period_months",
    "decision_lead_days",
]


@transaction.atomic
def agreement_renew(
    *, agreement: Agreement, by, starts_on: date | None = None, party=None
) -> Agreement:
    """A renewal (Swedish: *förnyat avtal*): a new draft agreement for the same outlet
    that replaces this one once it is signed, starting as a copy of the terms in
    force. The party may be new (a change of owner). When the renewal is signed, the
    agreement it replaces ends the day before the renewal starts, if not before.
    """
    _check_manager(by, agreement)
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.state != Agreement.State.SIGNED:
        raise ValidationError(
            _("Only a signed agreement can be renewed."), code="not_renewable"
        )
    if Agreement.objects.filter(replaces=agreement).exists():
        raise ValidationError(
            _("The agreement already has a renewal."), code="renewed_twice"
        )
    if starts_on is None:
        if agreement.ends_on is None:
            raise ValidationError(
                {"starts_on": _("Give the day the renewed agreement starts.")}
            )
        starts_on = agreement.ends_on + timedelta(days=1)
    if starts_on <= agreement.starts_on:
        raise ValidationError(
            {
                "starts_on": _(
                    "The renewed agreement must start after the agreement it "
                    "replaces has started."
                )
            }
        )
    source = agreement.version_on(starts_on - timedelta(days=1)) or max(
        (v for v in agreement.versions.all() if v.signed_at), key=lambda v: v.number
    )
    renewal = agreement_create(
        by=by,
        outlet=agreement.outlet,
        party=party or agreement.party,
        version_fields={
            **{name: getattr(source, name) for name in RENEWED_FIELDS},
            "starts_on": starts_on,
        },
        services=[
            ServiceLine(line.service, line.annual_fee, line.commitments)
            for line in source.services.all()
        ],
    )
    renewal.replaces = agreement
    renewal.save(update_fields=["replaces"])
    return renewal


def _agreement_end_early(agreement, last_day, reason):
    """End a signed agreement on `last_day`: planned payouts after it go, and the
    period that day cuts is planned again pro rata."""
    agreement.ends_on = last_day
    agreement.early_end_reason = reason
    agreement.full_clean()
    agreement.save(update_fields=["ends_on", "early_end_reason"])
    agreement.payouts.filter(
        status=Payout.Status.PLANNED, period_end__gt=last_day
    ).delete()
    payouts_plan(agreement=agreement)


def _replaced_end(renewal, renewal_starts_on):
    replaced = Agreement.objects.select_for_update().get(pk=renewal.replaces_id)
    last_day = renewal_starts_on - timedelta(days=1)
    if replaced.ends_on is not None and replaced.ends_on <= last_day:
        return
    _agreement_end_early(
        replaced,
        last_day,
        _("Replaced by agreement %(reference)s.") % {"reference": renewal.reference},
    )


@transaction.atomic
def agreement_change_owner(
    *,
    agreement: Agreement,
    by,
    handover_on: date,
    party: Party,
    end_access_for: Iterable = (),
) -> Agreement:
    """Record a change of owner (Swedish: *ägarbyte*) once the new owner has taken
    over: the agreement ends the day before the handover, the old owner's accounts
    lose the outlet (and are deactivated when they run no other), and a renewal for
    the new party, starting on the handover day, is returned as a draft to sign.
    """
    _check_manager(by, agreement)
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.status_on(timezone.localdate()) not in ("in_force", "notice_given"):
        raise ValidationError(
            _("A change of owner is recorded on an agreement in force."),
            code="not_in_force",
        )
    if party.pk == agreement.party_id:
        raise ValidationError(
            {"party": _("Choose the new owner's party, not the present one.")}
        )
    if handover_on > timezone.localdate():
        raise ValidationError(
            {
                "handover_on": _(
                    "Record the change of owner once the new owner has taken over."
                )
            }
        )
    if handover_on <= agreement.starts_on or (
        agreement.ends_on and handover_on > agreement.ends_on
    ):
        raise ValidationError(
            {"handover_on": _("The handover must fall within the agreement's term.")}
        )
    outlet = agreement.outlet
    chosen = {user.pk for user in end_access_for}
    leaving = list(outlet.owners.filter(pk__in=chosen))
    if len(leaving) != len(chosen):
        raise PermissionDenied
    _agreement_end_early(
        agreement,
        handover_on - timedelta(days=1),
        _("Change of owner: %(party)s took over on %(date)s.")
        % {"party": party.name, "date": handover_on.isoformat()},
    )
    for user in leaving:
        user.outlets.remove(outlet)
        if not user.outlets.exists():
            user.is_active = False
            user.save(update_fields=["is_active"])
    return agreement_renew(
        agreement=agreement, by=by, starts_on=handover_on, party=party
    )


@transaction.atomic
def agreement_give_notice(
    *, agreement: Agreement, by, given_on: date, given_by: str, reason: str
) -> Agreement:
    """Record notice (Swedish: *uppsägning*); the agreement ends with the period the
    notice reaches, and planned payouts after that day are cancelled."""
    _check_manager(by, agreement)
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.state != Agreement.State.SIGNED or agreement.notice_given_on:
        raise ValidationError(
            _("Notice can be given on a signed agreement, once."), code="no_notice"
        )
    term = agreement.first_version().term
    if term.is_fixed:
        raise ValidationError(
            _("A fixed-term agreement ends by itself; it takes no notice."),
            code="fixed_term",
        )
    agreement.notice_given_on = given_on
    agreement.notice_given_by = given_by
    agreement.notice_reason = reason
    agreement.notice_recorded_by = by
    agreement.ends_on = term.end_after_notice(given_on)
    agreement.full_clean()
    agreement.save()
    agreement.payouts.filter(
        status=Payout.Status.PLANNED, period_start__gt=agreement.ends_on
    ).delete()
    payouts_plan(agreement=agreement)
    return agreement


@transaction.atomic
def payout_approve(*, payout: Payout, by) -> Payout:
    _check_manager(by, payout.agreement)
    if payout.status != Payout.Status.PLANNED:
        raise ValidationError(_("Only a planned payout can be approved."))
    if payout.awaits_followup:
        raise ValidationError(
            _("The payout waits for the follow-up of agreement year %(year)s.")
            % {"year": payout.condition_year},
            code="condition_not_met",
        )
    if payout.awaits_report:
        raise ValidationError(
            _("The payout waits for the yearly report of agreement year %(year)s.")
            % {"year": payout.condition_year},
            code="condition_not_met",
        )
    return _payout_set_status(payout, Payout.Status.APPROVED, by)


@transaction.atomic
def payout_mark_paid(*, payout: Payout, by) -> Payout:
    _check_manager(by, payout.agreement)
    if payout.status != Payout.Status.APPROVED:
        raise ValidationError(_("Only an approved payout can be marked paid."))
    return _payout_set_status(payout, Payout.Status.PAID, by)


@transaction.atomic
def payout_withhold(*, payout: Payout, by, reason: str) -> Payout:
    _check_manager(by, payout.agreement)
    if payout.status not in (Payout.Status.PLANNED, Payout.Status.APPROVED):
        raise ValidationError(_("Only a planned or approved payout can be withheld."))
    if not reason.strip():
        raise ValidationError(
            {"reason": _("Write why the payout is withheld.")}, code="no_reason"
        )
    payout.withheld_reason = reason
    return _payout_set_status(payout, Payout.Status.WITHHELD, by)


def _payout_set_status(payout, status, by):
    payout.status = status
    payout.status_changed_at = timezone.now()
    payout.status_changed_by = by
    payout.full_clean()
    payout.save()
    return payout


@transaction.atomic
def payout_condition_set(
    *,
    agreement: Agreement,
    agreement_year: int,
    followup_complete: bool | None = None,
    report_received: bool | None = None,
) -> int:
    """Called by the follow-up when the year's follow-up is completed (or reopened)
    or the shop's yearly report is received (or sent back): the payouts waiting for
    that agreement year may then be approved. Returns the number of payouts touched.

    Approved and paid payouts keep their state: the database refuses a condition
    that stops holding under an approved payout, so reopening comes first.
    """
    changes = {}
    if followup_complete is not None:
        changes["followup_complete"] = followup_complete
    if report_received is not None:
        changes["report_received"] = report_received
    if not changes:
        return 0
    return agreement.payouts.filter(
        condition_year=agreement_year,
        status__in=[Payout.Status.PLANNED, Payout.Status.WITHHELD],
    ).update(**changes)


@transaction.atomic
def party_save(*, party: Party, by) -> Party:
    """Add or change a contracting party of the editor's municipality."""
    if party.municipality_id is None:
        party.municipality_id = by.municipality_id
    _check_manager(by, party.municipality_id)
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


FINANCE_COLUMNS = [
    "Avtal",
    "Organisationsnummer",
    "Bankgiro",
    "Plusgiro",
    "Belopp exkl. moms",
    "Moms",
    "Totalt",
    "Period från",
    "Period till",
    "Förfallodag",
    "Kontering",
]


def payouts_finance_rows(*, payouts, accounting_code):
    """The rows of the finance system's file: one per payout, amounts in kronor."""
    for payout in payouts:
        party = payout.agreement.party
        yield [
            payout.agreement.reference,
            party.organisation_number,
            party.bankgiro,
            party.plusgiro,
            payout.amount,
            payout.vat_amount,
            payout.total,
            payout.period_start.isoformat(),
            payout.period_end.isoformat(),
            payout.due_on.isoformat(),
            accounting_code,
        ]


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
