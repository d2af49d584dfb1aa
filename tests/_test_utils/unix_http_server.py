"""A small HTTP server on a Unix stream socket, as docker.sock is: the peer of
the `--forward unix:PATH` tests. Prints READY on stderr once it listens;
answers GET with the path it was asked for."""
import http.server
import socketserver
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        body = f"hello from unix socket: {self.path}\n".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def address_string(self):
        return "unix"

    def log_message(self, *args):
        pass


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


with Server(sys.argv[1], Handler) as server:
    print("READY", file=sys.stderr, flush=True)
    server.serve_forever()
