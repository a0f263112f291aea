"""The error the service analysis raises on input it cannot run on."""


class AnalysisError(ValueError):
    """Input the analysis cannot run on; the message says what to do."""
