"""The fakes' server plumbing lives in the package (the sandbox ships it); re-exported here."""

from bot.sandbox.http_server import EmulatorServer as FakeServer
from bot.sandbox.http_server import HangQueue, json_response

__all__ = ["FakeServer", "HangQueue", "json_response"]
