from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Role

STAFF = {Role.SYSTEM_OWNER, Role.ADMINISTRATOR, Role.OFFICIAL, Role.REGIONAL_VIEWER}

# (label, URL name, roles that see it); the start page comes first for everyone.
NAVIGATION = [
    (_("Start"), "start", set(Role.values)),
    (_("Outlets"), "outlets:outlet_list", STAFF),
    (_("My outlets"), "outlets:outlet_list", {Role.SHOP_OWNER}),
    (_("Localities"), "outlets:locality_list", STAFF),
    (_("Partners"), "outlets:partner_list", STAFF),
    (_("Map"), "outlets:map", STAFF),
    (_("Agreements"), "agreements:agreement_list", STAFF),
    (_("My agreements"), "agreements:agreement_list", {Role.SHOP_OWNER}),
    (_("Follow-ups"), "followup:followup_list", STAFF),
    (_("Key figures"), "reports:kpis", STAFF),
    (_("Service analysis"), "analysis:analysis", STAFF),
    (_("My service point"), "followup:portal", {Role.SHOP_OWNER}),
    (_("Users"), "accounts:user_list", {Role.ADMINISTRATOR}),
    (_("System administration"), "admin:index", {Role.SYSTEM_OWNER}),
]


def navigation(request):
    """The main navigation for the user's role, with the current item marked.

    The current item is the one whose address is the longest start of the page's:
    the map (/outlets/map/) lies under the outlets (/outlets/) but is its own item.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"navigation": []}
    items = [
        {"label": label, "url": reverse(url_name), "current": False}
        for label, url_name, roles in NAVIGATION
        if user.role in roles
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
