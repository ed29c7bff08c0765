"""Sink: the next hop of the private Postfix, a tiny SMTP server on loopback.

Contract: every message accepted at end of DATA is stored in the sink's
directory as NNNN.eml (the bytes as received, dot-unstuffed) plus NNNN.json
(envelope: mail_from, rcpt_tos, peer, time); the .json is renamed into place
last, so a listed message is always complete. `data_reply` (default
"250 2.0.0 stored") can be changed to make the sink defer or reject. The
server runs in daemon threads of the calling process; messages() and
wait_for() may be called from any thread.
"""

import email.parser
import email.policy
import json
import os
import socketserver
import threading
import time

from . import procs

GREETING_NAME = "sink.sendguard.test"  # must differ from Postfix's myhostname
MAX_LINE = 1000 * 1000


class SinkMessage:
    """One stored message: envelope plus raw bytes and parsed headers."""

    def __init__(self, path_json):
        with open(path_json) as f:
            meta = json.load(f)
        self.name = os.path.basename(path_json)[:-len(".json")]
        self.path = path_json[:-len(".json")] + ".eml"   # the raw bytes, for verifiers
        self.mail_from = meta["mail_from"]
        self.rcpt_tos = meta["rcpt_tos"]
        self.peer = meta["peer"]
        with open(self.path, "rb") as f:
            self.raw = f.read()
        parser = email.parser.BytesParser(policy=email.policy.compat32)
        self.message = parser.parsebytes(self.raw, headersonly=True)

    def header_values(self, name):
        """All values of header `name`, unfolded and stripped, in order."""
        values = self.message.get_all(name) or []
        return [" ".join(str(v).split()) for v in values]

    def header_lines(self):
        """(name, unfolded value) for every header, in order."""
        return [(k, " ".join(str(v).split())) for k, v in self.message.items()]

    @property
    def message_id(self):
        values = self.header_values("Message-ID")
        return values[0] if values else None


class _Handler(socketserver.StreamRequestHandler):
    timeout = 60

    def handle(self):
        self.mail_from, self.rcpt_tos = None, []
        try:
            self._reply(f"220 {GREETING_NAME} ESMTP test sink")
            while True:
                line = self.rfile.readline(MAX_LINE)
                if not line:
                    return
                if not self._command(line.decode("utf-8", "replace").rstrip("\r\n")):
                    return
        except (ConnectionError, TimeoutError):
            # Postfix went away mid-session (e.g. stopped at the end of a test
            # class): nothing was acknowledged, so nothing is stored.
            return

    def _reply(self, text):
        self.wfile.write(text.encode() + b"\r\n")
        self.wfile.flush()

    def _command(self, line):
        verb = line[:4].upper()
        arg = line[5:] if len(line) > 4 else ""
        if verb in ("EHLO", "HELO"):
            self._reply(f"250-{GREETING_NAME}\r\n250-PIPELINING\r\n250 8BITMIME"
                        if verb == "EHLO" else f"250 {GREETING_NAME}")
        elif verb == "MAIL":
            self.mail_from, self.rcpt_tos = _address(arg), []
            self._reply("250 2.1.0 ok")
        elif verb == "RCPT":
            self.rcpt_tos.append(_address(arg))
            self._reply("250 2.1.5 ok")
        elif verb == "DATA":
            self._data()
        elif verb == "RSET":
            self.mail_from, self.rcpt_tos = None, []
            self._reply("250 2.0.0 ok")
        elif verb == "NOOP":
            self._reply("250 2.0.0 ok")
        elif verb == "QUIT":
            self._reply("221 2.0.0 bye")
            return False
        else:
            self._reply("502 5.5.2 command not implemented")
        return True

    def _data(self):
        if self.mail_from is None or not self.rcpt_tos:
            self._reply("503 5.5.1 need MAIL and RCPT first")
            return
        self._reply("354 end data with <CR><LF>.<CR><LF>")
        chunks = []
        while True:
            line = self.rfile.readline(MAX_LINE)
            if not line:
                raise ConnectionError("client vanished during DATA")
            if line in (b".\r\n", b".\n"):
                break
            chunks.append(line[1:] if line.startswith(b".") else line)
        reply = self.server.sink.data_reply
        if reply.startswith("2"):
            self.server.sink._store(self.mail_from, self.rcpt_tos,
                                    b"".join(chunks), self.client_address[0])
        self._reply(reply)
        self.mail_from, self.rcpt_tos = None, []


def _address(arg):
    """The address inside <...> of a MAIL FROM:/RCPT TO: argument."""
    start, end = arg.find("<"), arg.find(">")
    if start < 0 or end < start:
        return arg.split(":", 1)[-1].strip()
    return arg[start + 1:end]


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class Sink:
    """A running sink; stop() (also registered for atexit) shuts it down."""

    def __init__(self, directory, port=0):
        os.makedirs(directory, exist_ok=True)
        self.directory = directory
        self.data_reply = "250 2.0.0 stored"
        self._lock = threading.Lock()
        self._count = 0
        self._server = _Server(("127.0.0.1", port), _Handler)
        self._server.sink = self
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        name="sink", daemon=True)
        self._thread.start()
        self._stop_entry = procs.register_stop("sink", self.stop)

    def stop(self):
        procs.unregister_stop(self._stop_entry)
        self._server.shutdown()
        self._server.server_close()

    def _store(self, mail_from, rcpt_tos, data, peer):
        with self._lock:
            self._count += 1
            base = os.path.join(self.directory, f"{self._count:04d}")
        with open(base + ".eml", "wb") as f:
            f.write(data)
        meta = {"mail_from": mail_from, "rcpt_tos": rcpt_tos, "peer": peer,
                "time": time.time()}
        with open(base + ".json.tmp", "w") as f:
            json.dump(meta, f)
        os.rename(base + ".json.tmp", base + ".json")

    def messages(self):
        """Every stored message, oldest first."""
        names = sorted(n for n in os.listdir(self.directory) if n.endswith(".json"))
        return [SinkMessage(os.path.join(self.directory, n)) for n in names]

    def with_message_id(self, message_id):
        return [m for m in self.messages() if m.message_id == message_id]

    def wait_for_message_id(self, message_id, timeout=20):
        """Waits until a message with this Message-ID arrived; returns it."""
        found = procs.wait_until(lambda: self.with_message_id(message_id), timeout,
                                 f"the sink to receive {message_id}")
        return found[0]
