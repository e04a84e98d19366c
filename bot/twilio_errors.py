"""Human sentences for Twilio delivery error codes, shown in Slack next to a failed reply."""

from __future__ import annotations

OPT_OUT_ERROR = 21610  # "Attempt to send to unsubscribed recipient": the customer said STOP

ERROR_SENTENCES: dict[int, str] = {
    30001: "Twilio's queue overflowed; try again later.",
    30002: "The Twilio account was suspended.",
    30003: "The phone is unreachable: switched off or out of coverage.",
    30004: "The message was blocked by the recipient or their carrier.",
    30005: "The number does not exist or is no longer in service.",
    30006: "The number is a landline or can't receive texts.",
    30007: "The carrier filtered the message as spam.",
    30008: "The carrier could not deliver it, for an unknown reason.",
    30034: "The sending number is not registered for A2P 10DLC messaging.",
    21211: "The number is not a valid phone number.",
    21408: "Sending to this country is not enabled on the Twilio account.",
    21610: "The customer opted out of texts from this number (they replied STOP).",
    21612: "Twilio can't route a text between these two numbers.",
    21614: "The number is not a mobile number, so it can't receive texts.",
    21617: "The message is longer than 1600 characters.",
}


def describe_error(code: int | None) -> str:
    if code is None:
        return "The carrier gave no reason."
    return ERROR_SENTENCES.get(code, f"Twilio error {code}.")
