"""Helpers to build test messages and submit them over SMTP.

Contract: submit() never raises for an SMTP-level refusal; it returns an
Outcome naming the stage that answered (connect, EHLO, STARTTLS, AUTH, MAIL,
RCPT, DATA) with the reply code and text. Network errors other than refusals
(timeouts, resets) do raise. Stateless; safe from any thread.
"""

import dataclasses
import email.utils
import smtplib
import ssl
import uuid


@dataclasses.dataclass
class Outcome:
    accepted: bool
    stage: str    # the SMTP stage whose reply decided the outcome
    code: int
    reply: str

    @property
    def queue_id(self):
        """Postfix's queue ID from "250 2.0.0 Ok: queued as ID", else None."""
        marker = "queued as "
        return self.reply.split(marker, 1)[1].split()[0] if marker in self.reply else None

    def __str__(self):
        return f"{self.stage}: {self.code} {self.reply}"


def make_message(mail_from, rcpts, subject="e2e test", body="Hello from the e2e test bed.\n",
                 headers=()):
    """(message bytes, Message-ID) with From/To/Subject/Date and a unique Message-ID."""
    message_id = f"<{uuid.uuid4().hex}@e2e.sendguard.test>"
    lines = [f"From: {mail_from}", f"To: {', '.join(rcpts)}", f"Subject: {subject}",
             f"Date: {email.utils.formatdate(localtime=False)}", f"Message-ID: {message_id}"]
    lines += [f"{name}: {value}" for name, value in headers]
    text = "\r\n".join(lines) + "\r\n\r\n" + body.replace("\r\n", "\n").replace("\n", "\r\n")
    return text.encode(), message_id


def submit(port, mail_from, rcpts, message, user=None, password=None, starttls=True,
           cafile=None, host="127.0.0.1", timeout=30, xclient=None):
    """Sends one message; AUTH (PLAIN/LOGIN) after STARTTLS when user is given.
    `xclient` ("ADDR=192.0.2.7 NAME=web1.example") is sent as XCLIENT first, so
    Postfix and the milter see that client instead of 127.0.0.1."""
    try:
        client = smtplib.SMTP(host, port, timeout=timeout)
    except smtplib.SMTPConnectError as exc:
        return Outcome(False, "connect", exc.smtp_code, _text(exc.smtp_error))
    try:
        if xclient:
            outcome = _xclient(client, xclient)
            if outcome is not None:
                return outcome
        return _transaction(client, mail_from, rcpts, message, user, password, starttls, cafile)
    except smtplib.SMTPResponseException as exc:
        return Outcome(False, "SMTP", exc.smtp_code, _text(exc.smtp_error))
    finally:
        _close(client)


def _transaction(client, mail_from, rcpts, message, user, password, starttls, cafile):
    client.ehlo("client.e2e.sendguard.test")
    if starttls:
        context = ssl.create_default_context(cafile=cafile) if cafile else _insecure_context()
        code, reply = client.starttls(context=context)
        if code != 220:
            return Outcome(False, "STARTTLS", code, _text(reply))
        client.ehlo("client.e2e.sendguard.test")
    if user is not None:
        try:
            client.login(user, password)
        except smtplib.SMTPResponseException as exc:
            return Outcome(False, "AUTH", exc.smtp_code, _text(exc.smtp_error))
    code, reply = client.mail(mail_from)
    if code != 250:
        return Outcome(False, "MAIL", code, _text(reply))
    for rcpt in rcpts:
        code, reply = client.rcpt(rcpt)
        if code not in (250, 251):
            return Outcome(False, "RCPT", code, _text(reply))
    try:
        code, reply = client.data(message)
    except smtplib.SMTPDataError as exc:
        return Outcome(False, "DATA", exc.smtp_code, _text(exc.smtp_error))
    return Outcome(code == 250, "DATA", code, _text(reply))


def _xclient(client, attributes):
    """XCLIENT ATTR=VALUE...; None when Postfix took it (it then greets anew)."""
    client.ehlo("client.e2e.sendguard.test")
    code, reply = client.docmd("XCLIENT", attributes)
    if code != 220:
        return Outcome(False, "XCLIENT", code, _text(reply))
    return None  # _transaction() greets again with EHLO, as XCLIENT requires


def _insecure_context():
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def _text(reply):
    return reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)


def _close(client):
    try:
        client.quit()
    except (smtplib.SMTPException, OSError):
        client.close()
