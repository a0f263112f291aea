import pytest

from outlets.forms import LocalityForm, OutletCloseForm, OutletForm, PartnerForm
from outlets.geo import sweref_from_wgs84
from outlets.models import Locality, Outlet, Partner
from outlets.tests.factories import LocalityFactory, OutletFactory, municipality

pytestmark = pytest.mark.django_db


def outlet_form(**data):
    instance = Outlet(municipality=municipality("2401"))
    return OutletForm(
        {"name": "Pers Livs", "kind": "grocery", **data}, instance=instance
    )


def test_latitude_and_longitude_accept_decimal_comma_and_spaces():
    form = outlet_form(latitude=" 63,700 0 ", longitude="19.35")
    assert form.is_valid(), form.errors
    assert (form.instance.latitude, form.instance.longitude) == (63.7, 19.35)


def test_sweref_99_tm_is_converted_to_wgs84_to_a_tenth_of_a_metre():
    northing, easting = sweref_from_wgs84(63.7, 19.35)
    form = outlet_form(
        sweref_northing=f"{northing:.1f}", sweref_easting=f"{easting:.1f}"
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["latitude"] == pytest.approx(63.7, abs=1e-5)
    assert form.cleaned_data["longitude"] == pytest.approx(19.35, abs=1e-5)


@pytest.mark.parametrize(
    "data,field,code",
    [
        (
            {"latitude": "63.7", "longitude": "19.3", "sweref_easting": "717000"},
            "__all__",
            "position_twice",
        ),
        ({"sweref_easting": "717000"}, "sweref_northing", "position_half"),
        ({"sweref_northing": "7063000"}, "sweref_easting", "position_half"),
        ({"sweref_northing": "1e300", "sweref_easting": "1"}, "sweref_northing", None),
        (
            {"sweref_northing": "6600000", "sweref_easting": "100000"},
            "sweref_northing",
            "outside_sweden",
        ),
    ],
)
def test_position_errors_carry_their_code_and_field(data, field, code):
    form = outlet_form(**data)
    assert not form.is_valid()
    assert form.has_error(field, code)


def test_locality_choices_are_the_municipalitys_own():
    own = LocalityFactory(name="Brattfors")
    LocalityFactory(name="Hörnefors", municipality=municipality("2480"))
    assert list(outlet_form().fields["locality"].queryset) == [own]


def test_agent_roles_are_checkboxes_limited_to_the_known_roles():
    form = outlet_form(agent_roles=["atg", "bank"])
    assert not form.is_valid()
    assert form.has_error("agent_roles", "invalid_choice")
    assert 'type="checkbox"' in str(form["agent_roles"])


def test_municipality_is_not_a_field_of_any_register_form():
    for form_class in (OutletForm, LocalityForm, PartnerForm):
        assert "municipality" not in form_class.base_fields


def test_classification_without_motivation_is_refused_on_the_motivation_field():
    form = LocalityForm(
        {"name": "Norrfors", "classification": Locality.Classification.SERVICE_NODE},
        instance=Locality(municipality=municipality("2401")),
    )
    assert not form.is_valid()
    assert list(form.errors) == ["classification_motivation"]


def test_partner_locality_choices_are_the_municipalitys_own():
    own = LocalityFactory()
    other = LocalityFactory(municipality=municipality("2480"))
    form = PartnerForm(
        {"name": "Byalaget", "kind": "village_association", "localities": [other.pk]},
        instance=Partner(municipality=municipality("2401")),
    )
    assert list(form.fields["localities"].queryset) == [own]
    assert form.has_error("localities", "invalid_choice")


def test_close_form_needs_a_date():
    assert OutletCloseForm({}).has_error("closed_on", "required")
    assert OutletCloseForm({"closed_on": "2025-06-30"}).is_valid()


def test_editing_keeps_the_stored_position_when_no_new_one_is_given():
    outlet = OutletFactory(latitude=63.7, longitude=19.35)
    form = OutletForm(
        {
            "name": outlet.name,
            "kind": outlet.kind,
            "latitude": "63.7",
            "longitude": "19.35",
        },
        instance=outlet,
    )
    assert form.is_valid(), form.errors
    assert (form.instance.latitude, form.instance.longitude) == (63.7, 19.35)
