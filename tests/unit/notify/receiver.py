#!/usr/bin/env python3
"""receiver.py RECORD_DIR [--port P] [--fail N] [--fail-code C] [--secret S]

A webhook receiver for the notify unit tests: an HTTP server on 127.0.0.1
(port P, default 0 = any free port) that prints its port on stdout, then
records every request N (from 1) as RECORD_DIR/req-NNNN.body (the raw body),
req-NNNN.sig ("sha256=" + hex HMAC-SHA256(S, body), computed here
independently of sendguard) and, written last and atomically,
req-NNNN.head (one "name: value" line per header, names in lower case). The first N requests are answered with status C
(default 500), the others with 200.
"""
import argparse
import hashlib
import hmac
import http.server
import os
import sys
import threading


def main():
    p = argparse.ArgumentParser()
    p.add_argument("record_dir")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--fail", type=int, default=0)
    p.add_argument("--fail-code", type=int, default=500)
    p.add_argument("--secret", default="")
    args = p.parse_args()
    lock = threading.Lock()
    seen = [0]

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with lock:
                seen[0] += 1
                n = seen[0]
            base = os.path.join(args.record_dir, "req-%04d" % n)
            with open(base + ".body", "wb") as f:
                f.write(body)
            with open(base + ".sig", "w") as f:
                f.write("sha256=" + hmac.new(args.secret.encode(), body, hashlib.sha256).hexdigest())
            with open(base + ".head.tmp", "w") as f:
                for k, v in self.headers.items():
                    f.write("%s: %s\n" % (k.lower(), v))
            os.rename(base + ".head.tmp", base + ".head")
            code = args.fail_code if n <= args.fail else 200
            reply = b'{"ok":true}' if code == 200 else b'{"ok":false}'
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *unused):
            pass

    server = http.server.HTTPServer(("127.0.0.1", args.port), Handler)
    sys.stdout.write("%d\n" % server.server_address[1])
    sys.stdout.flush()
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
