"""Domain events the outlets app sends; later apps (agreements) receive them.

Outlets is the bottom domain app and imports none above it: what closing an outlet
means for its agreements is the agreements app's to say and do.
"""

from django.dispatch import Signal

# Sent inside outlet_close's transaction, after the outlet is saved as closed; a
# receiver's error rolls the whole closure back. Arguments: outlet, closed_on, by.
outlet_closed = Signal()

# Sent when the close page is shown, before anything changes. Each receiver returns
# a list of sentences (plain text) saying what recording the closure will also do.
# Arguments: outlet, user.
outlet_close_consequences = Signal()

# Sent when an outlet's page is shown to someone who reads its records. Each
# receiver returns an `outlets.panels.OutletPanel` saying what the outlet is to its
# part of the programme (agreement, follow-up, deliveries), or None; it scopes what
# it reads to the user itself. Arguments: outlet, user.
outlet_page_panels = Signal()
