"""Who may do what with the service analysis: the scenario checks ask the
querysets' verbs (`visible_to`, `editable_by`); the others the user's role."""

from analysis.models import Scenario


def can_read_analysis(user, municipality) -> bool:
    """Whether the user may read the municipality's analysis (as on its pages):
    its staff, the county's regional viewers and the system owner."""
    if not user.is_authenticated:
        return False
    if user.is_system_owner:
        return True
    if user.is_regional_viewer:
        return user.county_id == municipality.county_id
    return user.manages(municipality.pk)


def can_recompute_analysis(user, municipality) -> bool:
    """Computing the municipality's figures anew from today's inputs: its
    administrators and officials, and the system owner; regional viewers read."""
    if not user.is_authenticated:
        return False
    return user.is_system_owner or user.manages(municipality.pk)


def can_save_scenario(user, municipality) -> bool:
    """Administrators and officials keep scenarios for their own municipality."""
    return user.is_authenticated and user.manages(municipality.pk)


def can_delete_scenario(user, scenario) -> bool:
    """The one who saved it, and the municipality's administrators, who tidy up."""
    return Scenario.objects.editable_by(user).filter(pk=scenario.pk).exists()


def can_edit_analysis_settings(user) -> bool:
    """A municipality's administrators keep its analysis settings."""
    return user.is_authenticated and user.is_administrator


def can_load_population(user) -> bool:
    """A municipality's administrators load its population grid."""
    return user.is_authenticated and user.is_administrator


def can_load_road_network(user) -> bool:
    """Administrators load their municipality's road network; the system owner one
    shared by every municipality."""
    return user.is_authenticated and (user.is_administrator or user.is_system_owner)
