from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from privacy.extract import can_make_register_extract
from region.permissions import can_view_counties

# (label, URL name, the user property or predicate that shows it); None: everyone
# signed in.
# Staff read every outlet's base data; shop owners have their own pages.
STAFF = "reads_all_base_data"
NAVIGATION = [
    (_("Start"), "start", None),
    (_("Outlets"), "outlets:outlet_list", STAFF),
    (_("My outlets"), "outlets:outlet_list", "is_shop_owner"),
    (_("Localities"), "outlets:locality_list", STAFF),
    (_("Partners"), "outlets:partner_list", STAFF),
    (_("Map"), "outlets:map", STAFF),
    (_("Agreements"), "agreements:agreement_list", STAFF),
    (_("My agreements"), "agreements:agreement_list", "is_shop_owner"),
    (_("Follow-ups"), "followup:followup_list", STAFF),
    (_("Key figures"), "reports:kpis", STAFF),
    (_("Service analysis"), "analysis:analysis", STAFF),
    (_("The county"), "region:county", can_view_counties),
    (_("My service point"), "followup:portal", "is_shop_owner"),
    (_("Users"), "accounts:user_list", "manages_users"),
    (_("Security log"), "securitylog:event_list", "reads_security_log"),
    (_("Register extract"), "privacy:extract_search", can_make_register_extract),
    (_("System administration"), "admin:index", "is_system_owner"),
]


def navigation(request):
    """The main navigation for the user's role, with the current item marked.

    The current item is the one whose address is the longest start of the page's:
    the map (/outlets/map/) lies under the outlets (/outlets/) but is its own item.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"navigation": []}
    if getattr(request, "two_factor_step", None):
        # Nothing else is reachable before the second factor.
        return {"navigation": []}
    items = [
        {"label": label, "url": reverse(url_name), "current": False}
        for label, url_name, shown_to in NAVIGATION
        if shown_to is None
        or (shown_to(user) if callable(shown_to) else getattr(user, shown_to))
    ]
    matching = [
        item
        for item in items
        if request.path == item["url"]
        or (item["url"] != "/" and request.path.startswith(item["url"]))
    ]
    if matching:
        max(matching, key=lambda item: len(item["url"]))["current"] = True
    return {"navigation": items}
