"""A DNS-style UDP responder, the peer of the `--forward udp:` tests: answers
each datagram with `answer:` and the datagram, to the address it came from,
after a random delay of up to 50 ms (so answers to many peers interleave out
of order, as a resolver's do). Prints `PORT n` on stderr once bound, and
`SOURCES n` each time a datagram comes from a source address not seen before
(so a test can count the forwarder's upstream sockets)."""
import random
import socket
import sys
import threading

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind(("127.0.0.1", 0))
print(f"PORT {sock.getsockname()[1]}", file=sys.stderr, flush=True)
sources = set()
while True:
    data, addr = sock.recvfrom(65535)
    if addr[1] not in sources:
        sources.add(addr[1])
        print(f"SOURCES {len(sources)}", file=sys.stderr, flush=True)
    threading.Timer(random.random() * 0.05, sock.sendto, args=(b"answer:" + data, addr)).start()
