"""The two ways a provider call fails, so a caller's retry policy is one ``except`` each.

``ProviderUnavailable``: try again later (connection error, timeout, 429, 5xx), after
``retry_after`` seconds when the provider said so. ``ProviderRejected``: the provider (or the
adapter, before sending) refused what we sent; record the message and field errors, show them to
staff and stop until the data is fixed.
"""

NON_FIELD_ERRORS = "__all__"


class ProviderError(Exception):
    def __init__(self, provider: str, message: str, *, status: int | None = None):
        super().__init__(f"{provider}: {message}")
        self.provider = provider
        self.message = message
        self.status = status


class ProviderUnavailable(ProviderError):
    """Transient: the call may succeed if repeated, with backoff."""

    def __init__(
        self,
        provider: str,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
    ):
        super().__init__(provider, message, status=status)
        self.retry_after = retry_after


class ProviderRejected(ProviderError):
    """Final until someone changes the data: a 4xx, or a request the adapter cannot build.

    ``code`` is the provider's error code when it gives one (ShopRunBack's ``SHIPBACK_REGISTERED``),
    ``field_errors`` maps a field (the provider's name for it) to messages, with messages that
    belong to no field under ``NON_FIELD_ERRORS``. ``status`` is None when nothing was sent.
    """

    def __init__(
        self,
        provider: str,
        message: str,
        *,
        status: int | None = None,
        code: str = "",
        field_errors: dict[str, list[str]] | None = None,
    ):
        super().__init__(provider, message, status=status)
        self.code = code
        self.field_errors = field_errors or {}

    def as_dict(self) -> dict:
        """What a caller stores as the last error and the admin shows."""
        return {
            "provider": self.provider,
            "status": self.status,
            "code": self.code,
            "message": self.message,
            "field_errors": self.field_errors,
        }
