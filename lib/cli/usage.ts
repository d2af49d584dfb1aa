/**
 * The text of `socktool --help`.
 *
 * @module
 */

/** Usage text printed by `--help` (stdout, exit 0). */
export const USAGE = `socktool — a netcat for the Deno age

Usage:
  socktool [options] HOST PORT            connect over TCP
  socktool -l [options] [HOST] PORT       listen on TCP (no HOST: IPv4 and IPv6)
  socktool -l -p PORT [options]           the same, traditional netcat spelling
  socktool -u ...                         the same over UDP
  socktool -U [-l] [options] PATH         Unix domain stream socket (-uU: datagram)
  socktool -z [options] HOST PORT...      probe ports; PORT may be a range 20-80

Connection:
  -l, --listen              listen instead of connecting
  -p, --port PORT           local port: the port to listen on, or the source port
  -s, --source ADDR         local address to bind
  -4, -6                    IPv4 only, IPv6 only
  -u, --udp                 UDP instead of TCP
  -U, --unixsock            Unix domain socket; PORT becomes a PATH
  -n, --nodns               numeric addresses only; a name is an error
  -w, --wait SECS           connect timeout, and idle timeout of a session
  -q, --quit-after-eof SECS after stdin ends, exit at most SECS later
  -N, --shutdown            accepted for compatibility (half-close is the default)
      --no-shutdown         keep the write half open after stdin ends
      --send-only           only send; ignore what the peer sends
      --recv-only           only receive; never read stdin

Listening:
  -k, --keep-open           keep accepting; serve clients concurrently
  -m, --max-conns N         at most N clients at once
      --allow ADDR|CIDR     accept only these clients (repeatable)
      --deny ADDR|CIDR      refuse these clients (repeatable)
      --allowfile FILE      --allow for each line of FILE
      --denyfile FILE       --deny for each line of FILE
      --broker              relay every client's data to every other client
      --chat                --broker with names, joins and leaves
      --forward HOST:PORT   relay each client to HOST:PORT in-process
      --serve NAME          echo, discard, daytime, chargen, upper, timestamp

Programs:
  -e, --exec "PROG ARGS"    connect the socket to PROG's stdin/stdout (no shell)
  -c, --sh-exec CMD         the same through /bin/sh -c CMD

Data:
  -C, --crlf                send CRLF for LF
  -i, --interval SECS       delay between lines (or datagrams) sent
  -o, --output FILE         log the session's bytes to FILE
  -x, --hex-dump FILE       log the session as a hex dump to FILE
      --append-output       append to -o/-x files
      --timestamp           prefix received lines with [YYYY-MM-DD HH:MM:SS]
      --progress            live bytes and rate on stderr (terminal only)
  -v, --verbose             messages on stderr; -vv for more

Probing:
  -z, --zero-io             report which ports accept a connection
      --json                one JSON object per port

TLS and proxies:
      --ssl                 TLS; certificates are verified by default
      --ssl-cert FILE       certificate (PEM)
      --ssl-key FILE        private key (PEM)
      --ssl-trustfile FILE  extra CA certificates (PEM)
      --ssl-servername NAME SNI and the name to verify
      --ssl-alpn LIST       ALPN protocols, comma-separated
      --ssl-insecure        do not verify the certificate (warns)
      --ssl-verify          verify (the default); with -l: require client
                            certificates from the --ssl-trustfile CAs
      --ssl-pin sha256:HEX  accept only the peer certificate with this SHA-256
                            (repeatable; with -l: required of clients; alone
                            it replaces the chain check, --ssl-verify adds it)
      --proxy HOST:PORT     connect through a proxy
      --proxy-type TYPE     socks5 (default), socks4 or http; with -l: as
                            --proxy-server (ncat's spelling)
      --proxy-auth USER:PASS  credentials for --proxy; with -l: required of
                            the proxy server's clients
      --proxy-server TYPE   with -l: be a socks5 or http (CONNECT) proxy;
                            -k implied, half-close kept end to end

  -h, --help                this text
      --version             the version

SECS: seconds (2, 0.5) or a number with a unit: 500ms, 2s, 1m, 1h; at most
2147483.647 s (24.8 days). An --allow list that names nobody admits nobody.

Exit status: 0 ok, 1 network or peer failure, 2 bad command line,
130 SIGINT, 143 SIGTERM.
`;
