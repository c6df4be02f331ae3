"""Handing a message to the mail server in two steps, so that a database commit can sit between
them: `stage` says everything but the end of the message, `release` ends it.

RFC 5321 (sections 3.3 and 4.1.1.4): the server takes responsibility for a message only when
its DATA is ended by `<CRLF>.<CRLF>`; a connection that drops before that leaves nothing to
deliver. So after `stage` (MAIL FROM, RCPT TO, DATA and the whole body, without the final
`.<CRLF>`) the message can still be dropped by closing the connection, and after `release`
(the three bytes of the terminator, then the server's reply) it is the server's. Whatever the
caller commits between the two is the point of no return: see plans/reminders.py.

Backends other than SMTP (console and files in embedded mode, locmem in tests) cannot be told
half a message: `stage` keeps the message and `release` sends it whole.
"""

from __future__ import annotations

import contextlib
import logging
import re
import smtplib
import socket

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address

logger = logging.getLogger(__name__)

CRLF = b"\r\n"
END_OF_DATA = b"." + CRLF


def _quote_periods(data: bytes) -> bytes:
    """Dot-stuffing (RFC 5321 4.5.2), as smtplib's own `_quote_periods`: a line starting with
    a period gets a second one, so no line of the body reads as the terminator."""
    return re.sub(rb"(?m)^\.", b"..", data)


class EndOfDataUnanswered(smtplib.SMTPException):
    """The terminator was written but no reply was read: the server may have accepted the
    message (it usually has), or may not."""


class MailSession:
    """One connection for a batch of messages, opened at the first one, each message handed
    over in two steps (`stage`, then `release`, or `abort`).

    Mirrors `smtplib.SMTP.sendmail` and `SMTP.data` (with the addresses and bytes that
    Django's SMTP `EmailBackend._send` would give them), split before the terminator.
    """

    def __init__(self) -> None:
        self.backend = get_connection(fail_silently=False)
        self.is_smtp = isinstance(self.backend, SMTPBackend)
        self.is_open = False
        self.in_data = False  # the server is reading a message body: only closing aborts it
        self.staged: EmailMessage | None = None

    def _open(self) -> None:
        """Open the backend once (for SMTP, `backend.connection` is then an `smtplib.SMTP`)."""
        if self.is_open:
            return
        try:
            self.backend.open()
        except BaseException:
            # a refused sign-in or greeting leaves a connected socket behind
            with contextlib.suppress(Exception):
                self.backend.close()
            raise
        self.is_open = True
        if self.is_smtp:
            # No Nagle: the body gets no reply, so the server delays its ACK (up to 40 ms on
            # Linux) and Nagle would hold the three bytes of the terminator until it came:
            # 47 ms a message instead of 3 against aiosmtpd on loopback.
            with contextlib.suppress(OSError):
                self.backend.connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def stage(self, message: EmailMessage) -> None:
        """Everything up to the end of the message. Raises `smtplib.SMTPException` or `OSError`
        (the message is then aborted: nothing reached the server's queue)."""
        self.staged = message
        if not self.is_smtp:
            return
        self._open()
        smtp: smtplib.SMTP = self.backend.connection
        encoding = message.encoding or settings.DEFAULT_CHARSET
        from_addr = sanitize_address(message.from_email, encoding)
        to_addrs = [sanitize_address(address, encoding) for address in message.recipients()]
        data = message.message().as_bytes(linesep="\r\n")
        try:
            smtp.ehlo_or_helo_if_needed()
            options = [f"size={len(data)}"] if smtp.does_esmtp and smtp.has_extn("size") else []
            code, reply = smtp.mail(from_addr, options)
            if code != 250:
                raise smtplib.SMTPSenderRefused(code, reply, from_addr)
            refused = {}
            for address in to_addrs:
                code, reply = smtp.rcpt(address)
                if code not in (250, 251):
                    refused[address] = (code, reply)
                if code == 421:
                    raise smtplib.SMTPRecipientsRefused(refused)
            if len(refused) == len(to_addrs):
                raise smtplib.SMTPRecipientsRefused(refused)
            smtp.putcmd("data")
            code, reply = smtp.getreply()
            if code != 354:
                raise smtplib.SMTPDataError(code, reply)
            self.in_data = True
            body = _quote_periods(data)
            smtp.send(body if body.endswith(CRLF) else body + CRLF)
        except BaseException:
            self.abort()
            raise

    def release(self) -> None:
        """End the staged message: from the first byte of the terminator on, the server may
        deliver it. Returns when it replied 250; otherwise raises `smtplib.SMTPDataError`
        (its reply), `smtplib.SMTPServerDisconnected` (the terminator could not be written:
        the server drops the message) or `EndOfDataUnanswered`."""
        message, self.staged = self.staged, None
        if not self.is_smtp:
            self._open()
            message.connection = self.backend
            self.backend.send_messages([message])
            return
        smtp = self.backend.connection
        self.in_data = False
        try:
            smtp.send(END_OF_DATA)
        except BaseException:
            self._drop()
            raise
        try:
            code, reply = smtp.getreply()
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self._drop()
            raise EndOfDataUnanswered(f"{type(exc).__name__}: {exc}") from exc
        if code != 250:
            if code == 421:
                self._drop()
            else:
                self._reset()
            raise smtplib.SMTPDataError(code, reply)

    def abort(self) -> None:
        """Drop the message being staged: RSET before DATA; once in DATA the server reads
        every line as the body, so only closing the connection makes it drop the message."""
        self.staged = None
        if self.is_smtp and self.is_open:
            if self.in_data:
                self._drop()
            else:
                self._reset()

    def _reset(self) -> None:
        try:
            self.backend.connection.rset()
        except (smtplib.SMTPException, OSError):
            self._drop()

    def _drop(self) -> None:
        """Close the socket without QUIT (which, inside DATA, would be a line of the body)."""
        connection = self.backend.connection
        self.in_data = False
        self.is_open = False
        self.backend.connection = None
        if connection is not None:
            connection.close()

    def close(self) -> None:
        if self.in_data:
            self._drop()
        if not self.is_open:
            return
        self.is_open = False
        try:
            self.backend.close()
        except Exception:  # a broken connection may fail to close; it is gone either way
            logger.debug("closing the mail connection failed", exc_info=True)
