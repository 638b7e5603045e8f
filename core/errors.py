"""Domain errors raised by services and shown by routes beside a field or as a flash message."""


class DomainError(Exception):
    """A rule refused the change. ``field`` names the form field to show the message beside, if any."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
