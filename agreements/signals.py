"""Domain events the agreements app sends; later apps (followup) receive them."""

from django.dispatch import Signal

# Sent when both sides have signed an agreement's first version, after commit.
# Arguments: agreement.
agreement_signed = Signal()

# Sent when a signed agreement is ended before its term (a closed outlet, a change
# of owner, a renewal), inside the transaction that ends it. Arguments: agreement.
agreement_ended_early = Signal()

# Sent when payouts have been planned for an agreement, inside the transaction
# that plans them: a payout may wait for a year whose follow-up or report is
# already done (the first payouts of a tacitly extended period wait for the last
# year of the one before). Arguments: agreement.
payouts_planned = Signal()
# Sent when a version (a new agreement, an amendment or a renewal) is made ready for
# signature, once per ready-marking, after commit. Arguments: agreement, version.
agreement_ready_for_signature = Signal()
