import factory

from outlets.models import County, Locality, Municipality, Outlet


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
