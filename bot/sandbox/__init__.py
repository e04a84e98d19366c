"""`smsbridge sandbox`: the real app against local Slack and Twilio emulators, with a page.

The Slack emulator and the server plumbing are also what the tests' fakes are made of
(tests/fakes/ re-exports them), so the sandbox and the tests exercise the same stand-ins.
"""
