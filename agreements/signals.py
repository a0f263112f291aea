"""Domain events the agreements app sends; later apps (followup) receive them."""

from django.dispatch import Signal

# Sent when both sides have signed an agreement's first version, after commit.
# Arguments: agreement.
agreement_signed = Signal()
