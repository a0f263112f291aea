"""The system owner's view of agreements in the Django admin.

Catalogues, parties, settings and budgets can be corrected here. Agreements, their
versions, signatures and payouts are public records that change only through the
app's named actions (with their checks and audit trail): here they are read-only,
and nothing is ever deleted.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from agreements.models import (
    Agreement,
    AgreementClause,
    AgreementService,
    AgreementVersion,
    Party,
    Payout,
    ProgrammeBudget,
    ProgrammeSettings,
    Service,
    Signature,
)
from agreements.services.catalogue import BANK_DETAILS_CONTROL


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ProgrammeSettings)
class ProgrammeSettingsAdmin(admin.ModelAdmin):
    list_display = [
        "municipality",
        "compensation_min",
        "compensation_max",
        "vat_rate_percent",
    ]
    autocomplete_fields = ["municipality"]


@admin.register(ProgrammeBudget)
class ProgrammeBudgetAdmin(admin.ModelAdmin):
    list_display = ["municipality", "year", "amount"]
    list_filter = ["year"]
    autocomplete_fields = ["municipality"]


@admin.register(AgreementClause)
class AgreementClauseAdmin(admin.ModelAdmin):
    """A municipality's agreement text: its administrators keep it in the app; here
    a clause's wording can be corrected, its place and kind stay as they are."""

    list_display = ["municipality", "position", "title", "kind"]
    list_filter = ["kind", "municipality__county"]
    search_fields = ["title", "municipality__name"]
    readonly_fields = ["municipality", "kind", "position"]
    fields = ["municipality", "kind", "position", "title", "text"]
    ordering = ["municipality__name", "position"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "municipality", "default_annual_fee", "is_active"]
    list_filter = ["is_active", "municipality__county"]
    search_fields = ["name"]
    autocomplete_fields = ["municipality"]


@admin.register(Party)
class PartyAdmin(admin.ModelAdmin):
    """A party's name, address and contact can be corrected here. Its bank details
    cannot: they change on the party's page in the app, where a second person of
    the municipality confirms them before payouts go there; a new party is added
    there too, for the same reason."""

    list_display = ["name", "organisation_number", "municipality"]
    search_fields = ["name", "organisation_number"]
    autocomplete_fields = ["municipality"]
    readonly_fields = [
        "bank_details",
        "bankgiro",
        "plusgiro",
        *BANK_DETAILS_CONTROL,
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "municipality",
                    "name",
                    "organisation_number",
                    "supplier_number",
                    "address",
                    "signatory_name",
                    "signatory_title",
                    "email",
                    "contact_name",
                    "contact_phone",
                ]
            },
        ),
        (
            _("Bank details"),
            {"fields": ["bank_details", "bankgiro", "plusgiro", *BANK_DETAILS_CONTROL]},
        ),
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("Change bank details"))
    def bank_details(self, obj):
        return format_html(
            '{} <a href="{}">{}</a>',
            _(
                "Bank details change in the app, where another official or "
                "administrator of the municipality confirms them:"
            ),
            reverse("agreements:party_update", args=[obj.pk]),
            _("the party's page"),
        )


class AgreementVersionInline(ReadOnlyMixin, admin.TabularInline):
    model = AgreementVersion
    fields = [
        "number",
        "effective_on",
        "annual_compensation",
        "starts_on",
        "document_sha256",
        "signed_document_sha256",
        "is_sealed",
        "signed_at",
    ]
    readonly_fields = fields
    extra = 0
    show_change_link = True


class PayoutInline(ReadOnlyMixin, admin.TabularInline):
    model = Payout
    fields = ["period_start", "period_end", "due_on", "amount", "status"]
    readonly_fields = fields
    extra = 0


@admin.register(Agreement)
class AgreementAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["__str__", "outlet", "party", "state", "starts_on", "ends_on"]
    list_filter = ["state", "municipality__county"]
    search_fields = ["reference", "outlet__name", "party__name"]
    inlines = [AgreementVersionInline, PayoutInline]

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser


class AgreementServiceInline(ReadOnlyMixin, admin.TabularInline):
    model = AgreementService
    fields = ["service", "annual_fee", "commitments"]
    readonly_fields = fields
    extra = 0


class SignatureInline(ReadOnlyMixin, admin.TabularInline):
    model = Signature
    fields = ["side", "method", "signed_by_name", "signed_by_title", "signed_at"]
    readonly_fields = fields
    extra = 0


@admin.register(AgreementVersion)
class AgreementVersionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["agreement", "number", "effective_on", "signed_at"]
    search_fields = ["agreement__reference"]
    inlines = [AgreementServiceInline, SignatureInline]

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Payout)
class PayoutAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["agreement", "period_start", "period_end", "amount", "status"]
    list_filter = ["status"]
    search_fields = ["agreement__reference"]

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser
