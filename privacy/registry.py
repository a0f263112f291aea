"""Every field that holds personal data, in one place (GDPR art. 30: *register över
behandlingar*): what it is, why it is kept, on what legal basis and for how long.

A test (privacy/tests/test_registry.py) fails for any model field with a user
foreign key or an e-mail, phone or name in its name that is neither here nor in
NOT_PERSONAL, so a new field cannot be forgotten. The register extract, erasure and
retention read this registry; so will the privacy notice.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LegalBasis(models.TextChoices):
    PUBLIC_TASK = (
        "public_task",
        _(
            "A task in the public interest (GDPR art. 6.1 e): the municipality's "
            "service-point programme"
        ),
    )
    CONTRACT = (
        "contract",
        _("A contract with the person (GDPR art. 6.1 b): the service agreement"),
    )
    LEGAL_OBLIGATION = (
        "legal_obligation",
        _("A legal obligation (GDPR art. 6.1 c): the archive and accounting laws"),
    )


class Retention(models.TextChoices):
    ACCOUNT = (
        "account",
        _("While the account is in use; anonymised when it is no longer needed"),
    )
    REGISTER = (
        "register",
        _("While the outlet or partner is in the register; removed when they leave it"),
    )
    PUBLIC_RECORD = (
        "public_record",
        _("Kept as a public record under the archive rules (arkivlagen); not erased"),
    )
    ACCOUNTING = (
        "accounting",
        _("Seven years after the year of payment (bokföringslagen)"),
    )
    SECURITY_LOG = "security_log", _("Twelve months")
    WORKING_FILE = "working_file", _("Until the work it serves is done")


@dataclass(frozen=True)
class PersonalField:
    field: str  # "app_label.Model.field"
    what: str
    purpose: str
    basis: LegalBasis
    retention: Retention


SIGN_IN = _("Signing in and knowing who did what")
RUNNING_THE_PROGRAMME = _("Running the service-point programme with the outlet")
AGREEMENT = _("Making, signing and following the service agreement")
PAYMENT = _("Paying the compensation of the agreement")
FOLLOW_UP = _("Following up the service point every year")
SECURITY = _("Keeping the service secure and finding misuse")
WHO_DID_IT = _("Knowing who made a change or a decision")

REGISTRY = [
    # People who sign in.
    PersonalField(
        "accounts.User.email",
        _("A user's e-mail address"),
        SIGN_IN,
        LegalBasis.PUBLIC_TASK,
        Retention.ACCOUNT,
    ),
    PersonalField(
        "accounts.User.full_name",
        _("A user's name"),
        SIGN_IN,
        LegalBasis.PUBLIC_TASK,
        Retention.ACCOUNT,
    ),
    # The table behind User.outlets: checked since its history trigger sits on a
    # proxy of it (accounts.UserOutlets), which the registry check finds.
    PersonalField(
        "accounts.User_outlets.user",
        _("Which outlets a shop owner runs"),
        RUNNING_THE_PROGRAMME,
        LegalBasis.PUBLIC_TASK,
        Retention.ACCOUNT,
    ),
    PersonalField(
        "accounts.Invitation.user",
        _("Who was invited to set a password, and when"),
        SIGN_IN,
        LegalBasis.PUBLIC_TASK,
        Retention.ACCOUNT,
    ),
    PersonalField(
        "accounts.Invitation.created_by",
        _("Who sent an invitation"),
        WHO_DID_IT,
        LegalBasis.PUBLIC_TASK,
        Retention.ACCOUNT,
    ),
    PersonalField(
        "calendarfeed.CalendarFeed.user",
        _("Whose calendar address it is, when it was made and last fetched"),
        SIGN_IN,
        LegalBasis.PUBLIC_TASK,
        Retention.ACCOUNT,
    ),
    PersonalField(
        "securitylog.SecurityEvent.user",
        _("Who signed in, was refused or downloaded a file"),
        SECURITY,
        LegalBasis.PUBLIC_TASK,
        Retention.SECURITY_LOG,
    ),
    PersonalField(
        "securitylog.SecurityEvent.email",
        _("The e-mail address given at a sign-in"),
        SECURITY,
        LegalBasis.PUBLIC_TASK,
        Retention.SECURITY_LOG,
    ),
    PersonalField(
        "securitylog.SecurityEvent.ip_address",
        _("The address a request came from"),
        SECURITY,
        LegalBasis.PUBLIC_TASK,
        Retention.SECURITY_LOG,
    ),
    # The register of outlets and partners.
    PersonalField(
        "outlets.Outlet.name",
        _("An outlet's name, which may be its owner's"),
        RUNNING_THE_PROGRAMME,
        LegalBasis.PUBLIC_TASK,
        Retention.REGISTER,
    ),
    PersonalField(
        "outlets.Outlet.organisation_number",
        _("A sole trader's organisation number (their personal identity number)"),
        RUNNING_THE_PROGRAMME,
        LegalBasis.PUBLIC_TASK,
        Retention.REGISTER,
    ),
    PersonalField(
        "outlets.Outlet.phone",
        _("The shop's public phone number, which may be its owner's"),
        RUNNING_THE_PROGRAMME,
        LegalBasis.PUBLIC_TASK,
        Retention.REGISTER,
    ),
    PersonalField(
        "outlets.Outlet.crisis_contact",
        _("Who to reach at the outlet in a crisis"),
        RUNNING_THE_PROGRAMME,
        LegalBasis.PUBLIC_TASK,
        Retention.REGISTER,
    ),
    PersonalField(
        "outlets.OutletContact.name",
        _("A contact person's name"),
        RUNNING_THE_PROGRAMME,
        LegalBasis.PUBLIC_TASK,
        Retention.REGISTER,
    ),
    PersonalField(
        "outlets.OutletContact.email",
        _("A contact person's e-mail address"),
        RUNNING_THE_PROGRAMME,
        LegalBasis.PUBLIC_TASK,
        Retention.REGISTER,
    ),
    PersonalField(
        "outlets.OutletContact.phone",
        _("A contact person's phone number"),
        RUNNING_THE_PROGRAMME,
        LegalBasis.PUBLIC_TASK,
        Retention.REGISTER,
    ),
    PersonalField(
        "outlets.Partner.contact_person",
        _("A partner's contact person"),
        RUNNING_THE_PROGRAMME,
        LegalBasis.PUBLIC_TASK,
        Retention.REGISTER,
    ),
    PersonalField(
        "outlets.Partner.email",
        _("A partner's e-mail address, which may be a person's"),
        RUNNING_THE_PROGRAMME,
        LegalBasis.PUBLIC_TASK,
        Retention.REGISTER,
    ),
    PersonalField(
        "outlets.Partner.phone",
        _("A partner's phone number, which may be a person's"),
        RUNNING_THE_PROGRAMME,
        LegalBasis.PUBLIC_TASK,
        Retention.REGISTER,
    ),
    PersonalField(
        "outlets.OutletImport.imported_by",
        _("Who imported an outlet file"),
        WHO_DID_IT,
        LegalBasis.PUBLIC_TASK,
        Retention.WORKING_FILE,
    ),
    PersonalField(
        "outlets.OutletImportRun.uploaded_by",
        _("Who uploaded an outlet file for import"),
        WHO_DID_IT,
        LegalBasis.PUBLIC_TASK,
        Retention.WORKING_FILE,
    ),
    PersonalField(
        "outlets.OutletImportRun.confirmed_by",
        _("Who confirmed an outlet import"),
        WHO_DID_IT,
        LegalBasis.PUBLIC_TASK,
        Retention.WORKING_FILE,
    ),
    # Its changes and new outlets hold contact persons' names, e-mail addresses and
    # phone numbers: cut down to the counts PENDING_HOURS after the run ends (its
    # expiry), and wherever it names a person who is erased.
    PersonalField(
        "outlets.OutletImportRun.preview",
        _("Contact persons' names, addresses and phone numbers in an import preview"),
        RUNNING_THE_PROGRAMME,
        LegalBasis.PUBLIC_TASK,
        Retention.WORKING_FILE,
    ),
    # Agreements and money.
    PersonalField(
        "agreements.Party.name",
        _("A contracting party's name, a person's for a sole trader"),
        AGREEMENT,
        LegalBasis.CONTRACT,
        Retention.PUBLIC_RECORD,
    ),
    PersonalField(
        "agreements.Party.organisation_number",
        _("A sole trader's organisation number (their personal identity number)"),
        AGREEMENT,
        LegalBasis.CONTRACT,
        Retention.PUBLIC_RECORD,
    ),
    PersonalField(
        "agreements.Party.signatory_name",
        _("Who signs for the party"),
        AGREEMENT,
        LegalBasis.CONTRACT,
        Retention.PUBLIC_RECORD,
    ),
    PersonalField(
        "agreements.Party.signatory_title",
        _("The signatory's title"),
        AGREEMENT,
        LegalBasis.CONTRACT,
        Retention.PUBLIC_RECORD,
    ),
    PersonalField(
        "agreements.Party.email",
        _("The party's e-mail address"),
        AGREEMENT,
        LegalBasis.CONTRACT,
        Retention.REGISTER,
    ),
    PersonalField(
        "agreements.Party.bankgiro",
        _("The party's bankgiro, a sole trader's own"),
        PAYMENT,
        LegalBasis.LEGAL_OBLIGATION,
        Retention.ACCOUNTING,
    ),
    PersonalField(
        "agreements.Party.plusgiro",
        _("The party's plusgiro, a sole trader's own"),
        PAYMENT,
        LegalBasis.LEGAL_OBLIGATION,
        Retention.ACCOUNTING,
    ),
    PersonalField(
        "agreements.Party.address",
        _("The party's address"),
        AGREEMENT,
        LegalBasis.CONTRACT,
        Retention.PUBLIC_RECORD,
    ),
    PersonalField(
        "agreements.Party.contact_name",
        _("The party's contact person"),
        AGREEMENT,
        LegalBasis.CONTRACT,
        Retention.REGISTER,
    ),
    PersonalField(
        "agreements.Party.contact_phone",
        _("The party's contact person's phone number"),
        AGREEMENT,
        LegalBasis.CONTRACT,
        Retention.REGISTER,
    ),
    PersonalField(
        "agreements.Party.bank_details_entered_by",
        _("Who entered the party's bank details"),
        PAYMENT,
        LegalBasis.LEGAL_OBLIGATION,
        Retention.ACCOUNTING,
    ),
    PersonalField(
        "agreements.Party.bank_details_confirmed_by",
        _("Who confirmed the party's bank details"),
        PAYMENT,
        LegalBasis.LEGAL_OBLIGATION,
        Retention.ACCOUNTING,
    ),
    PersonalField(
        "agreements.Party.pending_entered_by",
        _("Who entered bank details waiting for confirmation"),
        PAYMENT,
        LegalBasis.LEGAL_OBLIGATION,
        Retention.ACCOUNTING,
    ),
    PersonalField(
        "agreements.Agreement.created_by",
        _("Who drafted an agreement"),
        WHO_DID_IT,
        LegalBasis.LEGAL_OBLIGATION,
        Retention.PUBLIC_RECORD,
    ),
    PersonalField(
        "agreements.AgreementVersion.compensation_approved_by",
        _("The administrator who approved a compensation"),
        WHO_DID_IT,
        LegalBasis.LEGAL_OBLIGATION,
        Retention.PUBLIC_RECORD,
    ),
    PersonalField(
        "agreements.Delegation.user",
        _("Who may sign agreements, up to which amount"),
        WHO_DID_IT,
        LegalBasis.PUBLIC_TASK,
        Retention.PUBLIC_RECORD,
    ),
    PersonalField(
        "agreements.Signature.signed_by_name",
        _("The name on a signature"),
        AGREEMENT,
        LegalBasis.LEGAL_OBLIGATION,
        Retention.PUBLIC_RECORD,
    ),
    PersonalField(
        "agreements.Signature.signed_by_title",
        _("The title on a signature"),
        AGREEMENT,
        LegalBasis.LEGAL_OBLIGATION,
        Retention.PUBLIC_RECORD,
    ),
    PersonalField(
        "agreements.Signature.user",
        _("Who signed in the app"),
        AGREEMENT,
        LegalBasis.LEGAL_OBLIGATION,
        Retention.PUBLIC_RECORD,
    ),
    PersonalField(
        "agreements.Signature.paper_scan",
        _("A scanned paper signature"),
        AGREEMENT,
        LegalBasis.LEGAL_OBLIGATION,
        Retention.PUBLIC_RECORD,
    ),
    PersonalField(
        "agreements.Agreement.notice_recorded_by",
        _("Who recorded a notice of termination"),
        WHO_DID_IT,
        LegalBasis.LEGAL_OBLIGATION,
        Retention.PUBLIC_RECORD,
    ),
    PersonalField(
        "agreements.Agreement.withdrawn_by",
        _("Who withdrew an agreement before it was signed"),
        WHO_DID_IT,
        LegalBasis.LEGAL_OBLIGATION,
        Retention.PUBLIC_RECORD,
    ),
    PersonalField(
        "agreements.AgreementVersion.withdrawn_by",
        _("Who withdrew an amendment before it was signed"),
        WHO_DID_IT,
        LegalBasis.LEGAL_OBLIGATION,
        Retention.PUBLIC_RECORD,
    ),
    PersonalField(
        "agreements.Payout.status_changed_by",
        _("Who approved, withheld or paid a payout"),
        PAYMENT,
        LegalBasis.LEGAL_OBLIGATION,
        Retention.ACCOUNTING,
    ),
    # Follow-up.
    PersonalField(
        "followup.FollowUp.completed_by",
        _("Who completed a follow-up"),
        WHO_DID_IT,
        LegalBasis.PUBLIC_TASK,
        Retention.PUBLIC_RECORD,
    ),
    PersonalField(
        "followup.OwnerReport.reviewed_by",
        _("Who reviewed a shop owner's report"),
        WHO_DID_IT,
        LegalBasis.PUBLIC_TASK,
        Retention.PUBLIC_RECORD,
    ),
    PersonalField(
        "followup.OwnerReport.return_comment",
        _("An official's comment to the shop owner"),
        FOLLOW_UP,
        LegalBasis.PUBLIC_TASK,
        Retention.PUBLIC_RECORD,
    ),
    PersonalField(
        "followup.DialogueMeeting.participants",
        _("Who took part in the annual dialogue"),
        FOLLOW_UP,
        LegalBasis.PUBLIC_TASK,
        Retention.PUBLIC_RECORD,
    ),
    PersonalField(
        "followup.DialogueMeeting.minutes",
        _("The dialogue's minutes, which may tell about people"),
        FOLLOW_UP,
        LegalBasis.PUBLIC_TASK,
        Retention.PUBLIC_RECORD,
    ),
    PersonalField(
        "followup.AgreedAction.responsible",
        _("Who is responsible for an agreed action"),
        FOLLOW_UP,
        LegalBasis.PUBLIC_TASK,
        Retention.PUBLIC_RECORD,
    ),
    PersonalField(
        "followup.AgreedAction.added_by",
        _("Who recorded an agreed action, and is reminded of it"),
        WHO_DID_IT,
        LegalBasis.PUBLIC_TASK,
        Retention.PUBLIC_RECORD,
    ),
    PersonalField(
        "followup.AgreedAction.done_by",
        _("Who marked an agreed action done"),
        WHO_DID_IT,
        LegalBasis.PUBLIC_TASK,
        Retention.PUBLIC_RECORD,
    ),
    PersonalField(
        "followup.AgreedAction.done_comment",
        _("A comment on an agreed action done, which may tell about people"),
        FOLLOW_UP,
        LegalBasis.PUBLIC_TASK,
        Retention.PUBLIC_RECORD,
    ),
    PersonalField(
        "followup.SiteVisit.visitors",
        _("Who made the site visit"),
        FOLLOW_UP,
        LegalBasis.PUBLIC_TASK,
        Retention.PUBLIC_RECORD,
    ),
    PersonalField(
        "followup.SitePhoto.image",
        _("A site-visit photo, which may show people"),
        FOLLOW_UP,
        LegalBasis.PUBLIC_TASK,
        Retention.PUBLIC_RECORD,
    ),
    PersonalField(
        "followup.SitePhoto.added_by",
        _("Who added a site-visit photo"),
        WHO_DID_IT,
        LegalBasis.PUBLIC_TASK,
        Retention.PUBLIC_RECORD,
    ),
    PersonalField(
        "followup.Training.participants",
        _("Who took part in a training"),
        FOLLOW_UP,
        LegalBasis.PUBLIC_TASK,
        Retention.PUBLIC_RECORD,
    ),
    # Home deliveries, reminders, analysis.
    PersonalField(
        "deliveries.Delivery.household_reference",
        _("A household's reference for a home delivery"),
        RUNNING_THE_PROGRAMME,
        LegalBasis.PUBLIC_TASK,
        Retention.PUBLIC_RECORD,
    ),
    PersonalField(
        "deliveries.Delivery.note",
        _("A note on a home delivery, which may tell about the household"),
        RUNNING_THE_PROGRAMME,
        LegalBasis.PUBLIC_TASK,
        Retention.PUBLIC_RECORD,
    ),
    PersonalField(
        "reminders.SentReminder.recipient",
        _("Who was sent a reminder"),
        RUNNING_THE_PROGRAMME,
        LegalBasis.PUBLIC_TASK,
        Retention.WORKING_FILE,
    ),
    PersonalField(
        "analysis.PopulationImport.imported_by",
        _("Who imported population figures"),
        WHO_DID_IT,
        LegalBasis.PUBLIC_TASK,
        Retention.WORKING_FILE,
    ),
    PersonalField(
        "analysis.RoadNetwork.imported_by",
        _("Who imported a road network"),
        WHO_DID_IT,
        LegalBasis.PUBLIC_TASK,
        Retention.WORKING_FILE,
    ),
    PersonalField(
        "analysis.DataLoad.uploaded_by",
        _("Who loaded a population grid or road network"),
        WHO_DID_IT,
        LegalBasis.PUBLIC_TASK,
        Retention.WORKING_FILE,
    ),
    PersonalField(
        "reports.AnnualReport.requested_by",
        _("Who asked for an annual report"),
        WHO_DID_IT,
        LegalBasis.PUBLIC_TASK,
        Retention.WORKING_FILE,
    ),
    PersonalField(
        "analysis.Scenario.created_by",
        _("Who saved a scenario"),
        WHO_DID_IT,
        LegalBasis.PUBLIC_TASK,
        Retention.WORKING_FILE,
    ),
]

# Fields whose names look personal but are not, and why.
NOT_PERSONAL = {
    "outlets.County.name": "a county",
    "outlets.Municipality.name": "a municipality",
    "outlets.Locality.name": "a place",
    "outlets.Partner.name": "an organisation (its contact person is registered)",
    "outlets.OutletImport.file_name": "the name of an uploaded file",
    "outlets.OutletImportRun.file_name": "the name of an uploaded file",
    "outlets.OutletImportRun.stored_file": "where an uploaded file waits in storage",
    "agreements.Service.name": "a kind of service",
    "agreements.Service.public_description": "what a service offers, for the public",
    "analysis.PopulationImport.file_name": "the name of an uploaded file",
    "analysis.RoadNetwork.name": "a road network",
    "analysis.RoadNetwork.file_name": "the name of an uploaded file",
    "analysis.DataLoad.file_name": "the name of an uploaded file",
    "analysis.DataLoad.name": "a road network",
    "analysis.DataLoad.stored_file": "where an uploaded file waits in storage",
    "analysis.Scenario.name": "a scenario's title",
    "reports.AnnualReport.stored_file": "where a rendered annual report is stored",
    "analysis.ScenarioAddedOutlet.name": "an outlet imagined in a scenario",
    "deliveries.MonthlyDeliveryTotal.note": "a note on a month's figures",
    "programme.Investment.note": "a note on what was invested and how it was paid",
    # The municipality's public contacts for its statements: functional addresses,
    # as the settings page asks, published on purpose.
    "statements.StatementSettings.programme_email": "the municipality's own address",
    "statements.StatementSettings.programme_phone": "the municipality's own number",
    "statements.StatementSettings.accessibility_email": "the municipality's address",
    "statements.StatementSettings.data_protection_officer_email": (
        "the municipality's functional address for its data protection officer"
    ),
    "statements.StatementSettings.registrar_email": "the municipality's own address",
}


def personal_fields() -> dict[str, PersonalField]:
    return {entry.field: entry for entry in REGISTRY}


# How long each kind of data is kept before the daily job (apply_retention) removes
# or anonymises it; the privacy notice states the same periods.
@dataclass(frozen=True)
class RetentionPeriod:
    what: str
    months: int = 0
    days: int = 0


RETENTION_PERIODS = {
    "security_log": RetentionPeriod(_("Entries of the security log"), months=12),
    "personal_history": RetentionPeriod(
        _("Earlier values of personal fields in the history of changes"), months=24
    ),
    "deactivated_accounts": RetentionPeriod(
        _("Deactivated accounts, before they are anonymised"), months=12
    ),
    "pending_imports": RetentionPeriod(
        _("Outlet files uploaded for an import that was never confirmed"), days=1
    ),
    # A failed job keeps its arguments: a queued e-mail's recipients and text.
    "failed_jobs": RetentionPeriod(
        _("Background jobs that failed or were cancelled, with the e-mail they held"),
        days=settings.FAILED_JOBS_KEEP_DAYS,
    ),
}

# Retention kinds whose values are kept as they are: erasure and the history's
# retention leave them alone.
KEPT = {Retention.PUBLIC_RECORD, Retention.ACCOUNTING, Retention.SECURITY_LOG}


def erasable_fields(model) -> list[str]:
    """The names of a model's fields that hold personal data which erasure blanks:
    registered, not kept by a retention rule, and values rather than links to a
    user (the user's own row is anonymised in place)."""
    label = model._meta.label
    names = []
    for entry in REGISTRY:
        app_model, _dot, name = entry.field.rpartition(".")
        if app_model != label or entry.retention in KEPT:
            continue
        field = model._meta.get_field(name)
        if field.concrete and not field.is_relation:
            names.append(name)
    return names
