"""Who may do what with the customer survey: the public answers it; a
municipality's administrators set its questions; its results are read where the
follow-ups and key figures are (see followup and reports)."""


def can_edit_survey_questions(user) -> bool:
    """A municipality's administrators keep its survey's questions, as they keep
    its follow-up checklist."""
    return (
        user.is_authenticated
        and user.is_administrator
        and user.municipality_id is not None
    )
