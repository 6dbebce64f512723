"""The one domain exception: a code for machines, a Chinese message and field details for people.

Raised by services; mapped to an API response in `shequtong.api` and to a form error or toast
in the console, so both interfaces say the same thing.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError


class DomainError(Exception):
    status = 400

    def __init__(self, code: str, message: str, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.fields = fields or {}

    @classmethod
    def on(cls, field: str, message: str, code: str = "invalid") -> DomainError:
        """One field's problem, which is also the headline."""
        return cls(code, message, {field: [message]})

    @classmethod
    def from_fields(cls, fields: dict[str, list[str]], code: str = "invalid") -> DomainError:
        """Every bad field named; the first field's first message is the headline."""
        return cls(code, next(iter(fields.values()))[0], fields)

    @classmethod
    def from_validation(cls, exc: ValidationError, code: str = "invalid") -> DomainError:
        if hasattr(exc, "error_dict"):
            return cls.from_fields(
                {
                    name: [str(m) for e in errs for m in e.messages]
                    for name, errs in exc.error_dict.items()
                },
                code,
            )
        return cls(code, "；".join(exc.messages))


class PermissionDeniedError(DomainError):
    status = 403

    def __init__(self, message: str = "您没有权限执行此操作") -> None:
        super().__init__("forbidden", message)


class NotFoundError(DomainError):
    status = 404

    def __init__(self, message: str = "记录不存在或不在您的管辖范围内") -> None:
        super().__init__("not_found", message)


class UnavailableError(DomainError):
    """A failure of ours (the database down): the caller keeps what it sent and retries."""

    status = 503

    def __init__(self, message: str = "服务暂时不可用，请稍后重试") -> None:
        super().__init__("unavailable", message)
