import factory

from accounts.models import Role, User
from outlets.tests.factories import county, municipality

TEST_PASSWORD = "test-password-1234"


class UserFactory(factory.django.DjangoModelFactory):
    """An official of Nordmaling unless told otherwise; traits set the other roles."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@kommun.example")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    role = Role.OFFICIAL
    municipality = factory.LazyFunction(lambda: municipality("2401"))
    password = factory.django.Password(TEST_PASSWORD)

    class Params:
        administrator = factory.Trait(role=Role.ADMINISTRATOR)
        shop_owner = factory.Trait(role=Role.SHOP_OWNER)
        regional_viewer = factory.Trait(
            role=Role.REGIONAL_VIEWER,
            municipality=None,
            county=factory.LazyFunction(lambda: county("24")),
        )
        system_owner = factory.Trait(
            role=Role.SYSTEM_OWNER, is_superuser=True, municipality=None
        )

    @factory.post_generation
    def outlets(self, create, extracted, **kwargs):
        if create and extracted:
            self.outlets.set(extracted)
