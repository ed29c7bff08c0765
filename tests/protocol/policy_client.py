# policy_client.py — a small client of Postfix's SMTPD policy protocol
# (SMTPD_POLICY_README), for the policy service's tests: it sends requests as
# Postfix's smtpd does ("name=value" lines and an empty line) and reads the
# "action=..." answers.
import socket
import time


def connect(spec, timeout=10.0):
    """spec: 'inet:HOST:PORT' or 'unix:/path' (Postfix's spelling)."""
    if spec.startswith("unix:"):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        s.connect(spec[5:])
    else:
        host, port = spec[5:].rsplit(":", 1)
        s = socket.create_connection((host.strip("[]"), int(port)), timeout=timeout)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def encode(attrs):
    return "".join(f"{k}={v}\n" for k, v in attrs.items()).encode() + b"\n"


_instances = [0]


def request(state, user="", recipient="", sender="", instance=None, **extra):
    """A request like smtpd's for protocol_state `state`."""
    if instance is None:
        _instances[0] += 1
        instance = f"{time.time_ns():x}.{_instances[0]}"
    attrs = {
        "request": "smtpd_access_policy", "protocol_state": state, "protocol_name": "ESMTP",
        "helo_name": "client.example", "queue_id": "", "sender": sender or user, "recipient": recipient,
        "recipient_count": "0", "client_address": "192.0.2.10", "client_name": "client.example",
        "reverse_client_name": "client.example", "instance": instance, "sasl_method": "plain" if user else "",
        "sasl_username": user, "sasl_sender": "", "size": "0", "ccert_subject": "", "ccert_issuer": "",
        "ccert_fingerprint": "", "encryption_protocol": "TLSv1.3", "encryption_cipher": "x",
        "encryption_keysize": "256", "etrn_domain": "", "stress": "", "client_port": "40000",
        "server_address": "127.0.0.1", "server_port": "587", "policy_context": "",
        "compatibility_level": "3.6", "mail_version": "3.7.11",
    }
    attrs.update({k: str(v) for k, v in extra.items()})
    return attrs


class Client:
    def __init__(self, spec, timeout=10.0):
        self.sock = connect(spec, timeout)
        self.buf = b""

    def send_raw(self, data):
        self.sock.sendall(data)

    def read_answer(self):
        """The next answer's action, or None when the server closed."""
        while b"\n\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                return None
            self.buf += chunk
        block, self.buf = self.buf.split(b"\n\n", 1)
        lines = block.decode().split("\n")
        assert lines[0].startswith("action="), f"not an answer: {block!r}"
        return lines[0][len("action="):]

    def ask(self, attrs):
        self.send_raw(encode(attrs))
        return self.read_answer()

    def closed_by_server(self, wait=5.0):
        """True if the server closes the connection within `wait` seconds."""
        self.sock.settimeout(wait)
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return True
        except (socket.timeout, TimeoutError):
            return False
        except ConnectionResetError:
            return True

    def close(self):
        self.sock.close()


def message(client, user, recipients, size=1000, instance=None, with_end=True, **extra):
    """One message as smtpd asks: RCPT per recipient, then END-OF-MESSAGE.
    Returns (rcpt_answers, end_answer)."""
    _instances[0] += 1
    inst = instance or f"m{time.time_ns():x}.{_instances[0]}"
    answers = [client.ask(request("RCPT", user, r, instance=inst, **extra)) for r in recipients]
    accepted = sum(1 for a in answers if a in ("DUNNO",) or a.startswith("HOLD"))
    if not with_end:
        return answers, None
    end = client.ask(request("END-OF-MESSAGE", user, "", instance=inst, recipient_count=accepted,
                             size=size, queue_id="4Q" + inst.replace(".", "")[:10].upper(), **extra))
    return answers, end
