"""Domain events the accounts app sends; later apps receive them.

Accounts imports none of the apps above it: what they add to a person's own page is
theirs to say.
"""

from django.dispatch import Signal

# Sent when a signed-in person's profile page is shown. Each receiver returns an
# `accounts.panels.ProfilePanel` (a section of the page) or None. Arguments:
# request (the user is request.user; a receiver may read what its own actions left
# in the session for this page).
profile_page_panels = Signal()
