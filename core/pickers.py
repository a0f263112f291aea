"""The municipality and year picker of the pages that sum up a municipality's year
(home delivery, key figures) or analyse it (service analysis).

Pages show the choice with `templates/includes/municipality_year_picker.html`
(`municipality`, `municipality_choices`, and `year` and `years` where the page has a
year).
"""

from django.http import Http404
from django.utils import timezone

FIRST_YEAR = 2000


def municipality_pick(request, *, offered, preferred=(), remember_as=None):
    """The municipality the page is about, and the others the user may choose.

    Staff of a municipality see their own and choose none. A regional viewer chooses
    among the county's municipalities, anyone else among `offered` (a queryset of
    municipalities). `?municipality=<code>` chooses; a code the user may not choose
    is not found. Without one: the choice remembered in the session under
    `remember_as`, else the first choice in the first of the `preferred` sets of ids
    holding one, else the first choice; None when there is nothing to choose.
    """
    user = request.user
    if user.is_municipal_staff:
        return user.municipality, []
    if user.is_regional_viewer:
        choices = offered.model.objects.filter(county_id=user.county_id)
    else:
        choices = offered
    choices = list(choices.distinct().order_by("name"))
    asked = request.GET.get("municipality")
    code = asked or (request.session.get(remember_as) if remember_as else None)
    if code:
        chosen = next((m for m in choices if m.code == code), None)
        if chosen is not None:
            if remember_as:
                request.session[remember_as] = chosen.code
            return chosen, choices
        if asked:
            raise Http404
    for ids in preferred:
        ids = set(ids)
        chosen = next((m for m in choices if m.pk in ids), None)
        if chosen is not None:
            return chosen, choices
    return (choices[0] if choices else None), choices


def year_pick(request, *, latest):
    """The `?year=` asked for, from 2000 to `latest`; else this year."""
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return this_year
    return year if FIRST_YEAR <= year <= latest else this_year
