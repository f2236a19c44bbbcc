#!/usr/bin/env python3
"""Opens N TLS connections to the admission port, makes one request on each (GET /mutate: 405, kept alive), and
holds them idle. Prints 'HOLDING opened=N' once all are open, then waits for a line on stdin (or --hold seconds),
counts how many the server has closed meanwhile, and prints 'RESULT opened=N open=M closed_by_server=K refused=R'.

Independent of the code under test (Python's ssl, not .NET's): an idle client as any pod could be.
Usage: bench/idle-connections.py --port 19443 --count 3000 [--hold 0]
"""
import argparse
import select
import socket
import ssl
import sys
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--hold", type=float, default=0, help="seconds to hold; 0 waits for a line on stdin")
    args = parser.parse_args()

    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    request = f"GET /mutate HTTP/1.1\r\nHost: {args.host}\r\n\r\n".encode()
    held, refused = [], 0
    for _ in range(args.count):
        raw = socket.create_connection((args.host, args.port), timeout=10)
        try:
            tls = context.wrap_socket(raw, server_hostname=args.host)
            tls.sendall(request)
            answer = tls.recv(4096)
            if not answer.startswith(b"HTTP/1.1 405"):
                raise OSError(f"unexpected answer {answer[:40]!r}")
            held.append(tls)
        except (OSError, ssl.SSLError):
            refused += 1
            raw.close()
    print(f"HOLDING opened={len(held)} refused={refused}", flush=True)

    if args.hold > 0:
        time.sleep(args.hold)
    else:
        sys.stdin.readline()

    closed = 0
    for tls in held:
        poller = select.poll()  # not select(): descriptors past 1024 are the point here
        poller.register(tls, select.POLLIN)
        if poller.poll(0):
            try:
                if tls.recv(1) == b"":
                    closed += 1
            except (OSError, ssl.SSLError):
                closed += 1
    print(f"RESULT opened={len(held)} open={len(held) - closed} closed_by_server={closed} refused={refused}", flush=True)
    for tls in held:
        tls.close()


if __name__ == "__main__":
    main()
