"""Receivers of the domain events other apps send."""

from followup.services import followups_create_for, payout_conditions_sync


def followups_on_agreement_signed(sender, agreement, **kwargs):
    """A signed agreement gets its follow-up(s) at once, not at the next daily run."""
    followups_create_for(agreement=agreement)


def followups_on_agreement_ended_early(sender, agreement, **kwargs):
    """An agreement that ends early still owes the follow-up of its last year: one
    not created yet is created now, as the daily run skips ended agreements."""
    followups_create_for(agreement=agreement)


def payout_conditions_on_payouts_planned(sender, agreement, **kwargs):
    """Payouts planned after the year they wait for was followed up are free at
    once, not held for a follow-up already completed."""
    payout_conditions_sync(agreement=agreement)
