"""Who may do what with agreements: the object checks ask the querysets' verbs
(`visible_to`, `editable_by`, `signable_by`); the others the user's role."""

from agreements.models import Agreement, Signature


def can_manage_agreements(user) -> bool:
    """Officials and administrators handle their own municipality's agreements."""
    return user.is_authenticated and user.is_municipal_staff


def can_edit_agreement(user, agreement) -> bool:
    return Agreement.objects.editable_by(user).filter(pk=agreement.pk).exists()


def can_sign_for_party(user, agreement) -> bool:
    """The outlet's own shop owner signs for the service point in the app."""
    return (
        Agreement.objects.signable_by(user, Signature.Side.PARTY)
        .filter(pk=agreement.pk)
        .exists()
    )


def can_edit_catalogue(user) -> bool:
    """A municipality's administrators keep its service catalogue."""
    return user.is_authenticated and user.is_administrator


def can_read_agreement_text(user) -> bool:
    """The municipality's agreement text: its officials read it, to know what the
    agreements they draft will say."""
    return can_manage_agreements(user)


def can_edit_agreement_text(user) -> bool:
    """A municipality's administrators keep its agreement text."""
    return user.is_authenticated and user.is_administrator
