"""The error the service analysis raises on input it cannot run on."""


class AnalysisError(ValueError):
    """Input the analysis cannot run on; the message says what to do."""


class NoPopulationError(AnalysisError):
    """The municipality has no population grid loaded yet."""
