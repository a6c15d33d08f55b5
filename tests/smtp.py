# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A real SMTP server on 127.0.0.1 for tests where an email must leave."""

import contextlib
import email
import email.policy
import socket
import unittest

import odoo

try:
    from aiosmtpd.controller import Controller
except ImportError:  # a test dependency: the tests that need it are skipped
    Controller = None


class _Handler:
    def __init__(self, refuse):
        self.refuse = refuse
        self.messages = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            return self.refuse if isinstance(self.refuse, str) else "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


def free_port():
    """A TCP port of 127.0.0.1 that nothing listens on (at the time)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def smtp_route(env, port):
    """Route Odoo's outgoing mail to 127.0.0.1:``port``, whether a server
    listens there or not."""
    server = env["ir.mail_server"].create(
        {
            "name": "Test SMTP",
            "smtp_host": "127.0.0.1",
            "smtp_port": port,
            "smtp_encryption": "none",
            "sequence": 0,
        }
    )
    # Odoo's test mode never opens an SMTP connection: lift it for the
    # duration, emails must really leave.
    current_test = odoo.modules.module.current_test
    odoo.modules.module.current_test = False
    try:
        yield server
    finally:
        odoo.modules.module.current_test = current_test
        server.unlink()


@contextlib.contextmanager
def smtp_listener(port, refuse=False):
    """Serve SMTP on 127.0.0.1:``port``; yields the list of received
    (sender, recipients, message). ``refuse``: see ``smtp_server``."""
    if Controller is None:
        raise unittest.SkipTest("aiosmtpd is not installed: no SMTP server to send to.")
    handler = _Handler(refuse)
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler.messages
    finally:
        controller.stop()


@contextlib.contextmanager
def smtp_server(env, refuse=False):
    """Serve SMTP on 127.0.0.1 and route Odoo's outgoing mail to it.

    Yields the list of received (sender, recipients, message). With
    ``refuse``, every recipient is refused, as a mail server does for an
    unknown mailbox; a string is the server's reply, e.g. a temporary
    "451 4.7.1 Try again later".
    """
    port = free_port()
    with smtp_listener(port, refuse=refuse) as messages, smtp_route(env, port):
        yield messages
