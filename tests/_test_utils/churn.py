#!/usr/bin/env python3
"""Client churn for listener tests: many short clients in a row, of mixed kinds.

usage: churn.py PORT COUNT KINDS [PAYLOAD_BYTES]
KINDS is a comma list taken in turn:
  normal  send, half-close, read to EOF, close
  reset   send, then close with SO_LINGER 0 (a TCP reset)
  prereset  connect and reset at once (before the listener may have accepted)
  vanish  connect and close at once (FIN), reading nothing
  half    half-close at once, read to EOF, close
  kill    send and close without reading (as a killed nc)
  idle    connect, stay 50 ms without a byte, close
Prints one line: "done N" (and "late MS" for the connect+echo time of one
normal client after the run, if KINDS ends with ",probe").
"""
import socket, struct, sys, time

port, count, kinds = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3].split(",")
payload = b"x" * (int(sys.argv[4]) if len(sys.argv) > 4 else 100)
probe = kinds[-1] == "probe"
if probe:
    kinds = kinds[:-1]

def conn():
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    return s

def read_to_eof(s):
    try:
        while s.recv(65536):
            pass
    except (ConnectionResetError, socket.timeout):
        pass

def reset(s):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()

for i in range(count):
    k = kinds[i % len(kinds)]
    try:
        s = conn()
        if k == "normal":
            s.sendall(payload); s.shutdown(socket.SHUT_WR); read_to_eof(s); s.close()
        elif k == "reset":
            s.sendall(payload); reset(s)
        elif k == "prereset":
            reset(s)
        elif k == "vanish":
            s.close()
        elif k == "half":
            s.shutdown(socket.SHUT_WR); read_to_eof(s); s.close()
        elif k == "kill":
            s.sendall(payload); s.close()
        elif k == "idle":
            time.sleep(0.05); s.close()
    except OSError:
        pass
print(f"done {count}", flush=True)
if probe:
    t = time.monotonic()
    s = conn(); s.sendall(b"ping\n"); s.shutdown(socket.SHUT_WR); read_to_eof(s); s.close()
    print(f"late {int((time.monotonic() - t) * 1000)}", flush=True)
