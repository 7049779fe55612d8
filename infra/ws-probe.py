#!/usr/bin/env python3
"""Opens a console WebSocket and prints what the VM's console server says first (a stand-in for the seed's `wscat -c`).

    ws-probe.py 'ws://localhost:8080/api/v1/virtualization/virtualmachines/vm-…/console/ws?token=…'

Prints the first binary message as text (a VNC server greets with "RFB 003.008") and exits 0; on a refused upgrade it
prints the HTTP status line and the ConsoleError body and exits 1; on a close frame, its code and reason, exit 1.
The token travels only in the request line, which this script never prints. No third-party module needed.
"""
import base64
import os
import socket
import struct
import sys
from urllib.parse import urlsplit


def read_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError("connection closed")
        data += chunk
    return data


def read_frame(sock):
    first, second = read_exact(sock, 2)
    length = second & 0x7F
    if length == 126:
        length = struct.unpack(">H", read_exact(sock, 2))[0]
    elif length == 127:
        length = struct.unpack(">Q", read_exact(sock, 8))[0]
    mask = read_exact(sock, 4) if second & 0x80 else None
    payload = read_exact(sock, length)
    if mask:
        payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return first & 0x0F, payload


def main(url, timeout=10.0):
    parts = urlsplit(url)
    if parts.scheme not in ("ws", "http"):
        sys.exit("ws-probe.py: only ws:// URLs (plain loopback) are supported")
    sock = socket.create_connection((parts.hostname, parts.port or 80), timeout=timeout)
    key = base64.b64encode(os.urandom(16)).decode()
    path = parts.path + ("?" + parts.query if parts.query else "")
    sock.sendall((f"GET {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                  f"Sec-WebSocket-Protocol: binary\r\n\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(4096)
        if not chunk:
            break
        head += chunk
    header, _, rest = head.partition(b"\r\n\r\n")
    status = header.split(b"\r\n", 1)[0].decode(errors="replace")
    if " 101 " not in status + " ":
        print(status)
        try:
            rest += sock.recv(4096)
        except OSError:
            pass
        print(rest.decode(errors="replace").strip())
        return 1
    if rest:
        raise SystemExit("ws-probe.py: data before the first frame was read (not expected)")
    while True:
        opcode, payload = read_frame(sock)
        if opcode == 0x2 or opcode == 0x1:
            print(payload.decode(errors="replace").strip())
            sock.sendall(bytes([0x88, 0x82, 0, 0, 0, 0, 0x03, 0xE8]))  # close 1000, masked with a zero key
            sock.close()
            return 0
        if opcode == 0x8:
            code = struct.unpack(">H", payload[:2])[0] if len(payload) >= 2 else 1005
            print(f"closed {code} {payload[2:].decode(errors='replace')}")
            return 1
        # ping (0x9) or pong: keep reading


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1]))
