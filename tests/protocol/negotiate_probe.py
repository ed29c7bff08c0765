#!/usr/bin/python3
"""negotiate_probe.py SOCKET — opens a milter connection, negotiates and sends
a connect event; exits 0 if the filter continues, 1 if it refuses (tempfail
or closed connection). Used to check that a draining daemon refuses new
connections."""
import socket
import struct
import sys


def packet(cmd, data=b""):
    return struct.pack(">I", len(data) + 1) + cmd + data


def read_reply(s):
    head = b""
    while len(head) < 4:
        chunk = s.recv(4 - len(head))
        if not chunk:
            return None
        head += chunk
    (length,) = struct.unpack(">I", head)
    body = b""
    while len(body) < length:
        chunk = s.recv(length - len(body))
        if not chunk:
            return None
        body += chunk
    return body


s = socket.socket(socket.AF_UNIX)
s.settimeout(3)
try:
    s.connect(sys.argv[1])
    # SMFIC_OPTNEG: version 6, all actions, no protocol flags (filter must reply to connect).
    s.sendall(packet(b"O", struct.pack(">III", 6, 0x1FF, 0)))
    if read_reply(s) is None:
        sys.exit(1)
    s.sendall(packet(b"C", b"client.example\x004\x00\x00127.0.0.1\x00"))
    reply = read_reply(s)
except OSError as e:
    print("refused:", e)
    sys.exit(1)
print("reply:", reply[:1] if reply else None)
sys.exit(0 if reply is not None and reply[:1] == b"c" else 1)
