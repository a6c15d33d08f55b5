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
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def smtp_server(env, refuse=False):
    """Serve SMTP on 127.0.0.1 and route Odoo's outgoing mail to it.

    Yields the list of received (sender, recipients, message). With
    ``refuse``, every recipient is refused, as a mail server does for an
    unknown mailbox.
    """
    if Controller is None:
        raise unittest.SkipTest("aiosmtpd is not installed: no SMTP server to send to.")
    handler = _Handler(refuse)
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    server = env["ir.mail_server"].create(
        {
            "name": "Test SMTP",
            "smtp_host": "127.0.0.1",
            "smtp_port": controller.port,
            "smtp_encryption": "none",
            "sequence": 0,
        }
    )
    # Odoo's test mode never opens an SMTP connection: lift it for the
    # duration, emails must really leave.
    current_test = odoo.modules.module.current_test
    odoo.modules.module.current_test = False
    try:
        yield handler.messages
    finally:
        odoo.modules.module.current_test = current_test
        controller.stop()
        server.unlink()
