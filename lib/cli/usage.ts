/**
 * The text of `socktool --help`: the one source of the help, the man page
 * (`socktool.1`, written by `deno task man`) and the descriptions in shell
 * completions (`cli/help_model.ts` reads it back). Its layout is therefore a
 * small grammar, checked by `help_model_test.ts`:
 *
 * - a `Heading:` line alone starts a list; its items are indented two spaces,
 *   the description starts at column 29 (on the next line when the term is too
 *   long), and a longer description goes on at column 29 on the lines after;
 * - any other block is a paragraph;
 * - every line fits 80 columns, and every option of the option table has an
 *   item with a description.
 *
 * @module
 */

/** Usage text printed by `--help` (stdout, exit 0). */
export const USAGE = `socktool — a netcat for the Deno age

Usage:
  socktool [options] HOST PORT        connect over TCP (or HOST:PORT, [V6]:PORT)
  socktool -l [options] [HOST] PORT   listen on TCP (no HOST: IPv4 and IPv6)
  socktool -l -p PORT [options]       the same, traditional netcat spelling
  socktool -u ...                     the same over UDP
  socktool -U [-l] [options] PATH     Unix stream socket (-uU: datagram)
  socktool -z [options] HOST PORT...  probe ports; PORT may be a range 20-80
  socktool --wait-for SECS TARGET...  wait until every TARGET accepts
  socktool [options] ws://HOST/PATH   WebSocket (wss://: TLS, verified)
  socktool -l --ws [options] PORT     serve WebSocket clients

Connection:
  -l, --listen              listen instead of connecting
  -p, --port PORT           local port: the port to listen on, or the source
                            port of a connection
  -s, --source ADDR         local address to bind
  -4, --ipv4                IPv4 only
  -6, --ipv6                IPv6 only
  -u, --udp                 UDP instead of TCP
  -U, --unixsock            Unix domain socket; PORT becomes a PATH
  -n, --nodns               numeric addresses only; a name is an error
  -w, --wait SECS           connect timeout, and idle timeout of a session
  -q, --quit-after-eof SECS after stdin ends, exit at most SECS later
  -N, --shutdown            accepted for compatibility (half-close is the
                            default)
      --no-shutdown         keep the write half open after stdin ends
      --send-only           only send; ignore what the peer sends
      --recv-only           only receive; never read stdin

Listening:
  -k, --keep-open           keep accepting; serve clients concurrently
  -m, --max-conns N         at most N clients at once
      --allow RULES         accept only these clients (repeatable)
      --deny RULES          refuse these clients (repeatable)
      --allowfile FILE      --allow for the rules in FILE
      --denyfile FILE       --deny for the rules in FILE
      --broker              relay every client's data to every other client
      --chat                --broker with names, joins and leaves
      --forward TARGET      relay each client in-process to HOST:PORT,
                            unix:PATH, ws://... or wss://..., or (with -u)
                            udp:HOST:PORT
      --serve NAME          echo, discard, daytime, chargen, upper, timestamp

Programs:
  -e, --exec "PROG ARGS"    connect the socket to PROG's stdin/stdout (no
                            shell)
  -c, --sh-exec CMD         the same through /bin/sh -c CMD

Data:
  -C, --crlf                send CRLF for LF
  -i, --interval SECS       delay between lines (or datagrams) sent
  -o, --output FILE         log the session's bytes to FILE
  -x, --hex-dump FILE       log the session as a hex dump to FILE
      --append-output       append to -o/-x files
      --timestamp           prefix received lines with [YYYY-MM-DD HH:MM:SS]
      --progress            live bytes, rate and time on stderr (terminal
                            only); % and ETA when the size is known
      --size N              the bytes --progress expects (when stdin is a pipe)
  -L, --rate-limit RATE     at most RATE bytes per second each way (512K, 10M)
  -v, --verbose             messages on stderr; -vv for more

Probing:
  -z, --zero-io             report which ports accept a connection
      --json                one JSON object per port (or per --wait-for target)

Waiting:
      --wait-for SECS       wait until every TARGET (HOST:PORT, [V6]:PORT,
                            unix:PATH) accepts: exit 0; at the deadline, one
                            line per target still down, exit 1. -v: each as it
                            comes up; -w: one attempt's timeout. No UDP.

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
      --proxy-auth USER:PASS
                            credentials for --proxy; with -l: required of the
                            proxy server's clients
      --proxy-server TYPE   with -l: be a socks5 or http (CONNECT) proxy; -k
                            implied, half-close kept end to end

WebSocket:
      --ws                  with -l: clients speak WebSocket (-k, --serve,
                            --broker, --chat, -e, --forward, --ssl work too)
      --binary              one binary message per chunk, byte-exact (default:
                            one text message per line, like websocat)
      --header 'NAME: VALUE'
                            an extra handshake header (repeatable)
      --subprotocol NAMES   offered by a client, accepted by a listener
                            (comma-separated)

Help:
  -h, --help                print this help
      --version             print the version
      --completions SHELL   print a completion script for bash, zsh or fish

SECS: seconds (2, 0.5) or a number with a unit: 500ms, 2s, 1m, 1h; at most
2147483.647 s (24.8 days).

RULES: addresses and ranges, separated by commas or spaces: 10.0.0.0/8,
::1, 192.168.0.1-5, 10.0.*.* (ncat's forms). An allow list that names
nobody admits nobody.

N, RATE: bytes, or with a unit K, M, G, T (times 1024): 512K, 10M, 1G.

Examples:
  socktool example.com 80             talk to a web server by hand
  socktool -lv 9999                   wait for one client on port 9999
  socktool -l 9999 > copy.bin         receive a file...
  socktool HOST 9999 < file.bin       ...and send it
  socktool -lk 9999 -e cat            an echo server, one cat per client
  socktool -zv 127.0.0.1 20-30        which ports accept a connection
  socktool --ssl example.com 443      TLS, the certificate verified

Exit status: 0 ok, 1 network or peer failure, 2 bad command line,
130 SIGINT, 143 SIGTERM.

The full guide: README.md, in the source and on jsr.io/@socktool/socktool.
`;
