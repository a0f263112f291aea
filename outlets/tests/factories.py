import factory

from outlets.models import (
    County,
    Locality,
    Municipality,
    Outlet,
    OutletContact,
    Partner,
)


def municipality(code: str) -> Municipality:
    """One of the 290 municipalities the data migration loads."""
    return Municipality.objects.get(code=code)


def county(code: str) -> County:
    return County.objects.get(code=code)


class LocalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Locality

    municipality = factory.LazyFunction(lambda: municipality("2401"))
    name = factory.Sequence(lambda n: f"Byn {n}")
    latitude = 63.6
    longitude = 19.5


class OutletFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outlet

    municipality = factory.LazyFunction(lambda: municipality("2401"))
    name = factory.Sequence(lambda n: f"Lanthandeln {n}")
    kind = Outlet.Kind.GROCERY
    locality = factory.SubFactory(
        LocalityFactory, municipality=factory.SelfAttribute("..municipality")
    )
    latitude = 63.6
    longitude = 19.5


class OutletContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutletContact

    outlet = factory.SubFactory(OutletFactory)
    name = factory.Sequence(lambda n: f"Kontakt {n}")
    role = "Butikschef"
    email = factory.Sequence(lambda n: f"kontakt{n}@butik.example")
    phone = "0930-123 45"


class PartnerFactory(factory.django.DjangoModelFactory):
    """A village association of Nordmaling unless told otherwise."""

    class Meta:
        model = Partner
        skip_postgeneration_save = True

    municipality = factory.LazyFunction(lambda: municipality("2401"))
    name = factory.Sequence(lambda n: f"Byalaget {n}")
    kind = Partner.Kind.VILLAGE_ASSOCIATION
    contact_person = "Anna Byström"
    email = factory.Sequence(lambda n: f"byalaget{n}@byn.example")
    phone = "070-123 45 67"

    @factory.post_generation
    def localities(self, create, extracted, **kwargs):
        if create and extracted:
            self.localities.set(extracted)
