"""One error hierarchy. SDK exceptions are wrapped once, in the gateways; the edges
(handlers, CLI) translate these into what a person sees."""

from __future__ import annotations


class SmsBridgeError(Exception):
    """Base: `str(error)` is a sentence fit to show the person who caused it."""


class ConfigError(SmsBridgeError):
    def __init__(self, message: str, *, variable: str | None = None) -> None:
        super().__init__(message)
        self.variable = variable


class InvalidInput(SmsBridgeError):
    """Input a person typed was refused; `field` names what to fix."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFound(SmsBridgeError):
    pass


class PermissionDenied(SmsBridgeError):
    pass


class GatewayError(SmsBridgeError):
    """A call to Slack or Twilio failed."""


class RateLimited(GatewayError):
    """The provider asked us to slow down; nothing was done, retry after `retry_after` s."""

    def __init__(self, message: str, *, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TransientError(GatewayError):
    """A failure where nothing was done (connection refused, provider said try again)."""


class OutcomeUnknown(GatewayError):
    """A create may or may not have happened (timeout, 5xx): reconcile before retrying."""


class SlackError(GatewayError):
    """Slack answered ok=false with `code`."""

    def __init__(self, code: str) -> None:
        super().__init__(f"Slack refused the call: {code}")
        self.code = code


class TwilioRejected(GatewayError):
    """Twilio refused a message for good (4xx with an error code)."""

    def __init__(self, message: str, *, code: int | None, status: int) -> None:
        super().__init__(message)
        self.code = code
        self.status = status
