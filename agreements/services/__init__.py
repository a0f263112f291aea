"""Actions on agreements: each one a named transition with its permission check.

The actions live in one module per job; callers import them from here.
"""

from agreements.services.attestation import (
    agreement_approve_compensation,
    compensation_approval_reasons,
    delegation_limit,
    delegation_set,
    party_confirm_bank_details,
    payout_attestation_refusal,
)
from agreements.services.catalogue import (
    DEFAULT_SERVICES,
    budget_set,
    party_save,
    programme_settings_save,
    service_catalogue_seed,
    service_save,
)
from agreements.services.drafting import (
    ServiceLine,
    agreement_create,
    agreement_mark_ready,
    agreement_reference_next,
    agreement_update_draft,
)
from agreements.services.integrity import agreement_documents_check_share
from agreements.services.lifecycle import (
    RENEWED_FIELDS,
    agreement_amend,
    agreement_change_owner,
    agreement_give_notice,
    agreement_renew,
    payouts_recover_after,
)
from agreements.services.payouts import (
    FINANCE_COLUMNS,
    payout_approve,
    payout_cancel,
    payout_condition_set,
    payout_mark_paid,
    payout_release,
    payout_withhold,
    payouts_approve,
    payouts_finance_rows,
    payouts_finance_sums,
    payouts_plan,
    payouts_plan_ahead,
    payouts_replan,
)
from agreements.services.signed_documents import (
    signed_document_process,
    signed_document_retry,
)
from agreements.services.signing import agreement_sign
from agreements.services.withdrawal import (
    agreement_draft_delete,
    agreement_withdraw,
    amendment_draft_delete,
    amendment_withdraw,
    pending_amendment,
)

__all__ = [
    "DEFAULT_SERVICES",
    "FINANCE_COLUMNS",
    "RENEWED_FIELDS",
    "ServiceLine",
    "agreement_amend",
    "agreement_approve_compensation",
    "agreement_change_owner",
    "agreement_create",
    "agreement_documents_check_share",
    "agreement_draft_delete",
    "agreement_give_notice",
    "agreement_mark_ready",
    "agreement_reference_next",
    "agreement_renew",
    "agreement_sign",
    "agreement_update_draft",
    "agreement_withdraw",
    "amendment_draft_delete",
    "amendment_withdraw",
    "pending_amendment",
    "budget_set",
    "compensation_approval_reasons",
    "delegation_limit",
    "delegation_set",
    "party_confirm_bank_details",
    "party_save",
    "payout_approve",
    "payout_cancel",
    "payout_attestation_refusal",
    "payout_condition_set",
    "payout_mark_paid",
    "payout_release",
    "payout_withhold",
    "payouts_approve",
    "payouts_finance_rows",
    "payouts_finance_sums",
    "payouts_plan",
    "payouts_plan_ahead",
    "payouts_replan",
    "payouts_recover_after",
    "programme_settings_save",
    "service_catalogue_seed",
    "signed_document_process",
    "signed_document_retry",
    "service_save",
]
