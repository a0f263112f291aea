from django.urls import path

from agreements import clause_views, views

app_name = "agreements"

urlpatterns = [
    path("", views.AgreementListView.as_view(), name="agreement_list"),
    path("new/", views.agreement_create_view, name="agreement_create"),
    path("<int:pk>/", views.agreement_detail, name="agreement_detail"),
    path("<int:pk>/edit/", views.agreement_update_view, name="agreement_update"),
    path(
        "<int:pk>/preview.pdf", views.agreement_preview_view, name="agreement_preview"
    ),
    path("<int:pk>/ready/", views.agreement_mark_ready_view, name="agreement_ready"),
    path(
        "<int:pk>/approve-compensation/",
        views.agreement_approve_compensation_view,
        name="agreement_approve_compensation",
    ),
    path("<int:pk>/sign/<str:side>/", views.agreement_sign_view, name="agreement_sign"),
    path(
        "<int:pk>/sign-paper/",
        views.agreement_sign_paper_view,
        name="agreement_sign_paper",
    ),
    path("<int:pk>/amend/", views.agreement_amend_view, name="agreement_amend"),
    path("<int:pk>/notice/", views.agreement_give_notice_view, name="agreement_notice"),
    path(
        "<int:pk>/withdraw/", views.agreement_withdraw_view, name="agreement_withdraw"
    ),
    path(
        "<int:pk>/delete/",
        views.agreement_draft_delete_view,
        name="agreement_draft_delete",
    ),
    path("<int:pk>/renew/", views.agreement_renew_view, name="agreement_renew"),
    path(
        "<int:pk>/change-owner/",
        views.agreement_change_owner_view,
        name="agreement_change_owner",
    ),
    path(
        "versions/<int:pk>/<str:kind>.pdf",
        views.agreement_document_view,
        name="agreement_document",
    ),
    path(
        "versions/<int:pk>/signed-document/status/",
        views.signed_document_status,
        name="signed_document_status",
    ),
    path(
        "versions/<int:pk>/signed-document/retry/",
        views.signed_document_retry_view,
        name="signed_document_retry",
    ),
    path("payouts/", views.payout_list_view, name="payout_list"),
    path("payouts/approve/", views.payouts_approve_view, name="payouts_approve"),
    path("payouts/export.csv", views.payout_export_view, name="payout_export"),
    path("payouts/<int:pk>/approve/", views.payout_approve_view, name="payout_approve"),
    path("payouts/<int:pk>/paid/", views.payout_mark_paid_view, name="payout_paid"),
    path(
        "payouts/<int:pk>/withhold/", views.payout_withhold_view, name="payout_withhold"
    ),
    path("payouts/<int:pk>/release/", views.payout_release_view, name="payout_release"),
    path("payouts/<int:pk>/cancel/", views.payout_cancel_view, name="payout_cancel"),
    path("budget/", views.budget_view, name="budget"),
    path("settings/", views.programme_settings_view, name="programme_settings"),
    path("text/", clause_views.agreement_text_view, name="agreement_text"),
    path(
        "text/organisation-number/",
        clause_views.organisation_number_view,
        name="municipality_organisation_number",
    ),
    path("text/<int:pk>/", clause_views.clause_update_view, name="clause_update"),
    path("text/<int:pk>/move/", clause_views.clause_move_view, name="clause_move"),
    path(
        "text/<int:pk>/remove/", clause_views.clause_remove_view, name="clause_remove"
    ),
    path("parties/", views.PartyListView.as_view(), name="party_list"),
    path("parties/new/", views.party_create_view, name="party_create"),
    path("parties/<int:pk>/", views.party_update_view, name="party_update"),
    path(
        "parties/<int:pk>/confirm/",
        views.party_confirm_bank_details_view,
        name="party_confirm_bank_details",
    ),
    path("delegations/", views.delegation_view, name="delegations"),
    path("services/", views.ServiceListView.as_view(), name="service_list"),
    path("services/new/", views.service_form_view, name="service_create"),
    path("services/<int:pk>/", views.service_form_view, name="service_update"),
]
