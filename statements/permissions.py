"""Who keeps a municipality's contacts for the statements: its administrators, as
they keep its other settings. The statements themselves are public."""


def can_edit_statement_settings(user, municipality_id) -> bool:
    return (
        user.is_authenticated
        and user.is_administrator
        and municipality_id is not None
        and user.municipality_id == municipality_id
    )
