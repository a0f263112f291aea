"""Receivers of the domain events other apps send."""

from followup.services import followups_create_for


def followups_on_agreement_signed(sender, agreement, **kwargs):
    """A signed agreement gets its follow-up(s) at once, not at the next daily run."""
    followups_create_for(agreement=agreement)
