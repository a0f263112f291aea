"""A password strength estimate that works offline (zxcvbn), as ASVS level 2 asks in
place of composition rules: long passphrases pass, guessable patterns do not."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from zxcvbn import zxcvbn

# zxcvbn's time grows with the length; the first characters decide a long passphrase.
ESTIMATED_LENGTH = 100

# zxcvbn's dictionaries are English: the Swedish words people build passwords from
# (Sommar2026!) count as guessable only when it is told them.
SWEDISH_WORDS = (  # noqa: SIM905 (a list literal would take 62 lines)
    "sommar sommaren vinter vintern höst hösten vår våren januari februari mars april "
    "maj juni juli augusti september oktober november december måndag tisdag onsdag "
    "torsdag fredag lördag söndag lösenord hemlig hemligt välkommen sverige svenska "
    "stockholm göteborg malmö umeå norrland västerbotten kommun kommunen butik butiken "
    "handlare lanthandel affär hej hejsan kärlek älskar fotboll hockey midsommar jul "
    "julafton påsk solen katten hunden familjen mamma pappa"
).split()
ASCII_SPELLINGS = str.maketrans("åäö", "aao")
DICTIONARY = sorted(
    set(SWEDISH_WORDS) | {word.translate(ASCII_SPELLINGS) for word in SWEDISH_WORDS}
)

# The first pattern zxcvbn found in a weak password, and what to tell about it.
HINTS = {
    "repeat": lambda: _("Repeated characters or words are easy to guess."),
    "sequence": lambda: _("Sequences such as abc or 6789 are easy to guess."),
    "spatial": lambda: _("Rows of keys such as qwerty are easy to guess."),
    "date": lambda: _("Dates and years are easy to guess."),
    "regex": lambda: _("Dates and years are easy to guess."),
    "dictionary": lambda: _(
        "Common words and names are easy to guess, also with a capital letter, a "
        "digit or a sign added, or with letters swapped for look-alikes (@ for a)."
    ),
}


class PasswordStrengthValidator:
    """Refuses passwords zxcvbn scores below `min_score` (0–4; 3: "safely
    unguessable", about 10^8 guesses or more)."""

    def __init__(self, min_score=3):
        # Score 3 lets a word, a year and two signs pass at twelve characters
        # (Sommar2026!!, 10^8 guesses); 4 (10^10) refuses them too.
        self.min_score = min_score

    def validate(self, password, user=None):
        result = zxcvbn(password[:ESTIMATED_LENGTH], user_inputs=self.context(user))
        if result["score"] >= self.min_score:
            return
        message = _(
            "This password is too easy to guess. A passphrase of four or five "
            "unrelated words is long, hard to guess and easy to remember."
        )
        patterns = [match.get("pattern") for match in result.get("sequence", [])]
        hint = next((HINTS[p]() for p in patterns if p in HINTS), "")
        raise ValidationError(
            f"{message} {hint}".strip(), code="password_too_guessable"
        )

    def get_help_text(self):
        return _(
            "Your password must be hard to guess: not a word with a year or a sign "
            "added, nor repeated characters or rows of keys. A passphrase of a few "
            "unrelated words works well."
        )

    @staticmethod
    def context(user):
        """Words a guesser would try first, most likely first: the user's own, then
        the service's, then common Swedish ones."""
        words = []
        if user is not None:
            email = getattr(user, "email", "") or ""
            local, _at, domain = email.partition("@")
            words += (getattr(user, "full_name", "") or "").split()
            words += [local, *domain.split("."), email]
            municipality = getattr(user, "municipality", None)
            if municipality is not None:
                words.append(str(municipality))
        words += ["servicepunkter", "servicepunkt", "servicepunkten", *DICTIONARY]
        return [word for word in words if word]
