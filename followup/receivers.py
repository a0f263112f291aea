"""Receivers of the domain events other apps send."""

from followup.services import followups_create_for


def followups_on_agreement_signed(sender, agreement, **kwargs):
    """A signed agreement gets its follow-up(s) at once, not at the next daily run."""
    followups_create_for(agreement=agreement)


def followups_on_agreement_ended_early(sender, agreement, **kwargs):
    """An agreement that ends early still owes the follow-up of its last year: one
    not created yet is created now, as the daily run skips ended agreements."""
    followups_create_for(agreement=agreement)
