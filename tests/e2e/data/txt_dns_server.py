#!/usr/bin/python3
"""txt_dns_server.py ADDRESS ZONE.json — a minimal authoritative DNS server
over UDP for the system-resolver test of `sendguard keys check`: answers TXT
queries from ZONE.json {"name": {"txt": [[strings...], ...]} | {"cname":
"target"} | {"silent": true}}; other names are NXDOMAIN. Runs until killed."""
import json
import socket
import struct
import sys


def encode_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def read_name(packet, pos):
    labels = []
    while packet[pos]:
        n = packet[pos]
        labels.append(packet[pos + 1:pos + 1 + n].decode())
        pos += 1 + n
    return ".".join(labels).lower(), pos + 1


def rr(name, rtype, rdata):
    return encode_name(name) + struct.pack("!HHIH", rtype, 1, 60, len(rdata)) + rdata


def answer(packet, zone):
    qid, = struct.unpack("!H", packet[:2])
    name, end = read_name(packet, 12)
    question = packet[12:end + 4]
    answers = []
    entry = zone.get(name)
    while entry and "cname" in entry:
        answers.append(rr(name, 5, encode_name(entry["cname"])))
        name = entry["cname"]
        entry = zone.get(name)
    if entry and entry.get("silent"):
        return None
    for strings in (entry or {}).get("txt", []):
        answers.append(rr(name, 16, b"".join(bytes([len(s)]) + s.encode() for s in strings)))
    rcode = 0 if entry or answers else 3
    header = struct.pack("!HHHHHH", qid, 0x8580 | rcode, 1, len(answers), 0, 0)
    return header + question + b"".join(answers)


def main():
    address, zone_path = sys.argv[1], sys.argv[2]
    with open(zone_path) as f:
        zone = {k.lower(): v for k, v in json.load(f).items()}
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((address, 53))
    print("ready", flush=True)
    while True:
        packet, peer = sock.recvfrom(4096)
        reply = answer(packet, zone)
        if reply is not None:
            sock.sendto(reply, peer)


if __name__ == "__main__":
    main()
