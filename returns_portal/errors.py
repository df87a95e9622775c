"""Errors a service raises when a request breaks a business rule.

Each has a stable ``code`` (the API's error codes, ShopRunBack's where they exist), a message
for people, and optionally the field it is about. The admin shows the message; the API turns
it into ``{"errors": [{"code", "message", "field"}]}``.
"""


class DomainError(Exception):
    code = "INVALID"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code

    def as_dict(self) -> dict:
        error = {"code": self.code, "message": self.message}
        if self.field:
            error["field"] = self.field
        return error
