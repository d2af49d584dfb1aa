import { parseCommandLine } from "./parse.ts";
import { IGNORED } from "./rules.ts";
import { flagName } from "./option_table.ts";
import { SocktoolError } from "../errors.ts";

/** One command line per rule: it must break that rule and no earlier one. */
const CASES: [string[], RegExp][] = [
  [["-4", "-6", "h", "80"], /options -4 and -6 cannot be used together/],
  [["-k", "h", "80"], /option -k needs -l/],
  [["-m", "3", "h", "80"], /option -m needs -l/],
  [["--broker", "h", "1"], /option --broker needs -l/],
  [["--chat", "h", "1"], /option --chat needs -l/],
  [["--forward", "a:1", "h", "1"], /option --forward needs -l/],
  [["--serve", "echo", "h", "1"], /option --serve needs -l/],
  [["--allow", "127.0.0.1", "h", "1"], /option --allow needs -l/],
  [["--deny", "127.0.0.1", "h", "1"], /option --deny needs -l/],
  [["--allowfile", "f", "h", "1"], /option --allowfile needs -l/],
  [["--denyfile", "f", "h", "1"], /option --denyfile needs -l/],
  [["--json", "h", "1"], /option --json needs -z/],
  [["-l", "--proxy", "p:1", "1"], /options -l and --proxy/],
  [["-z", "--ssl", "h", "1"], /options -z and --ssl/],
  [["-z", "-e", "cat", "h", "1"], /options -z and -e/],
  [["-z", "-c", "cat", "h", "1"], /options -z and -c/],
  [["-z", "--proxy", "p:1", "h", "1"], /options -z and --proxy/],
  [["-4", "::1", "80"], /option -4 cannot be used with the IPv6 address ::1/],
  [["-6", "127.0.0.1", "80"], /option -6 cannot be used with the IPv4 address 127.0.0.1/],
  [["-n", "localhost", "80"], /option -n forbids name lookup, but 'localhost' is a name/],
  [["-n", "-s", "localhost", "127.0.0.1", "80"], /the -s address is a name/],
  [["--send-only", "--recv-only", "h", "1"], /--send-only and --recv-only cannot be used together/],
  [["-e", "cat", "-c", "cat", "h", "1"], /options -e and -c cannot be used together/],
  [["-U", "-p", "5", "/tmp/s"], /option -p gives a port, but -U uses a socket PATH/],
  [["-u", "--proxy", "p:1", "h", "1"], /option --proxy works over TCP only/],
  [["--proxy", "p:1", "-s", "127.0.0.1", "h", "1"], /options --proxy and -s\/-p/],
  [["-u", "--ssl", "h", "1"], /option --ssl works over TCP \(or -U\) only/],
  [
    ["--ssl", "--ssl-servername", "", "h", "1"],
    /option --ssl-servername needs a name: '' is empty/,
  ],
  [["-l", "1", "--ssl", "--ssl-insecure"], /are for connecting, not -l/],
  [["-lu", "1", "-e", "cat"], /options -e and -c need a stream socket/],
  [["-luUk", "/tmp/s"], /option -k cannot be used with -uU/],
  [["-l", "1", "--broker", "--forward", "a:1"], /options --broker and --forward/],
  [["-l", "1", "--serve", "nope"], /unknown --serve name 'nope'/],
  [["-l", "1", "--serve", "echo", "-e", "cat"], /choose one of --serve, --forward/],
  [["-lu", "1", "--broker"], /--broker and --chat need a stream socket/],
  [["-luU", "/tmp/s", "--forward", "a:1"], /^option --forward cannot be used with -uU: /],
  [["--ssl-cert", "c", "h", "1"], /^option --ssl-cert needs --ssl$/],
  [["--ssl-key", "k", "h", "1"], /^option --ssl-key needs --ssl$/],
  [["--ssl-trustfile", "t", "h", "1"], /^option --ssl-trustfile needs --ssl$/],
  [["--ssl-servername", "n", "h", "1"], /^option --ssl-servername needs --ssl$/],
  [["--ssl-alpn", "h2", "h", "1"], /^option --ssl-alpn needs --ssl$/],
  [["--ssl-insecure", "h", "1"], /^option --ssl-insecure needs --ssl$/],
  [["--proxy-type", "http", "h", "1"], /^option --proxy-type needs --proxy or -l$/],
  [["--proxy-auth", "u:p", "h", "1"], /^option --proxy-auth needs --proxy or -l$/],
  [["-z", "-l", "h", "1"], /^options -z and -l cannot be used together$/],
  [["-z", "-U", "h", "1"], /^options -z and -U cannot be used together$/],
  [["--append-output", "h", "1"], /^option --append-output needs -o or -x$/],
  [["-N", "--no-shutdown", "h", "1"], /^options -N and --no-shutdown cannot be used together: /],
  [["-lU", "-p", "80", "/tmp/x"], /^option -U takes a socket PATH, not a port$/],
  [
    ["-lU", "-s", "::1", "/tmp/x"],
    /^option -s gives an address, but -lU listens on a socket PATH$/,
  ],
  [
    ["-s", "127.0.0.1", "::1", "1"],
    /^option -s gives an IPv4 address, but ::1 is an IPv6 address$/,
  ],
  [["-u", "-s", "::1", "127.0.0.1", "1"], /^option -s gives an IPv6 address, but 127\.0\.0\.1/],
  [
    ["-U", "-s", "/tmp/a", "/tmp/b"],
    /^option -s gives an address, but -U connects to a socket PATH$/,
  ],
  [["-U", `/tmp/${"a".repeat(103)}`], /^socket path too long: .* \(at most 107 bytes\)$/],
  [["-lU", `/tmp/${"a".repeat(103)}`], /^socket path too long/],
  [["-uU", "-s", `/tmp/${"é".repeat(52)}`, "/tmp/b"], /^socket path too long/],
  [
    ["--proxy", "p", "--proxy-type", "socks4", "::1", "1"],
    /socks4 proxy cannot reach an IPv6 address/,
  ],
  [["--ssl", "--ssl-key", "k", "h", "1"], /^option --ssl-key needs --ssl-cert$/],
  [["-l", "1", "--ssl", "--ssl-key", "k"], /^option --ssl-key needs --ssl-cert$/],
  [
    ["--ssl", "--ssl-insecure", "--ssl-trustfile", "t", "h", "1"],
    /^options --ssl-insecure and --ssl-trustfile cannot be used together/,
  ],
  [["-l", "1", "-m", "2"], /^option -m needs -k or --broker or --chat: /],
  [["-ulk", "1", "-m", "2"], /^options -m and -u cannot be used together: /],
  [
    ["-l", "1", "--allow", "10.0.0.0/33"],
    /^bad rule '10\.0\.0\.0\/33' in --allow: prefix length must be 0-32$/,
  ],
  [
    ["-l", "1", "--deny", "127.0.0.1,nope"],
    /^bad rule 'nope' in --deny: not an IP address or address range$/,
  ],
  [["-lU", "/tmp/s", "--allow", "127.0.0.1"], /^options --allow and --deny match IP addresses: /],
  [["-lU", "/tmp/s", "--denyfile", "f"], /^options --allow and --deny match IP addresses: /],
  [
    ["-l", "1", "--broker", "--send-only"],
    /^options --broker and --send-only cannot be used together: /,
  ],
  [
    ["-l", "1", "--broker", "--recv-only"],
    /^options --broker and --recv-only cannot be used together: /,
  ],
  [
    ["-l", "1", "--chat", "--send-only"],
    /^options --chat and --send-only cannot be used together: /,
  ],
  [
    ["-l", "1", "--chat", "--recv-only"],
    /^options --chat and --recv-only cannot be used together: /,
  ],
  [
    ["--ssl-verify", "--ssl-insecure", "h", "1"],
    /^options --ssl-verify and --ssl-insecure cannot be used together: /,
  ],
  // Issue 14: --wait-for, --forward targets, --size, --rate-limit.
  [["--wait-for", "5", "-4", "[::1]:80"], /^option -4 cannot be used with the IPv6 address ::1$/],
  [
    ["--wait-for", "5", "-6", "127.0.0.1:80"],
    /^option -6 cannot be used with the IPv4 address 127/,
  ],
  [["--wait-for", "5", "-n", "127.0.0.1:1", "db:5432"], /^option -n forbids name lookup, but 'db'/],
  [
    ["-l", "1", "-n", "--forward", "db:5432"],
    /^option -n forbids name lookup, but 'db' is a name$/,
  ],
  [["--wait-for", "5", `unix:/tmp/${"a".repeat(103)}`], /^socket path too long: /],
  [["-l", "1", "--forward", `unix:/tmp/${"a".repeat(103)}`], /^socket path too long: /],
  [["-l", "1", "--forward", "udp:127.0.0.1:53"], /^a udp: --forward target needs a -u listener/],
  [["-lu", "1", "--forward", "127.0.0.1:53"], /^option --forward on a -u listener needs a udp:/],
  [
    ["-lu", "1", "--forward", "udp:127.0.0.1:53", "-o", "/dev/null", "-C"],
    /^options --forward udp: and -C, -o cannot be used together: /,
  ],
  [
    ["-u", "--wait-for", "5", "127.0.0.1:53"],
    /^option --wait-for cannot wait for UDP: /,
  ],
  [
    ["-lk", "1", "--forward", "a:1", "--progress", "--size", "5"],
    /^options --forward and --size cannot be used together: /,
  ],
  [["--size", "5", "h", "1"], /^option --size needs --progress$/],
  [["--json", "h", "1"], /^option --json needs -z or --wait-for$/],
  // Proxy servers and TLS both ways (issue 14).
  [["--proxy-server", "socks5", "h", "1"], /^option --proxy-server needs -l$/],
  [["-l", "--proxy-auth", "u:p", "1"], /^option --proxy-auth with -l needs --proxy-server: /],
  [
    ["-l", "1", "--proxy-server", "http", "--proxy-type", "http"],
    /^options --proxy-server and --proxy-type cannot be used together: with -l, --proxy-type is ncat's/,
  ],
  [["--ssl-pin", "sha256:00", "h", "1"], /^option --ssl-pin needs --ssl$/],
  [
    ["--ssl", "--ssl-verify", "--ssl-insecure", "h", "1"],
    /^options --ssl-verify and --ssl-insecure cannot be used together: /,
  ],
  [
    ["--ssl", "--ssl-pin", "sha256:00", "--ssl-insecure", "h", "1"],
    /^options --ssl-pin and --ssl-insecure cannot be used together: /,
  ],
  [
    ["-l", "1", "--ssl", "--ssl-trustfile", "t"],
    /^option --ssl-trustfile with -l needs --ssl-verify: /,
  ],
  [["-l", "1", "--ssl", "--ssl-verify"], /^option --ssl-verify with -l needs --ssl-trustfile: /],
  [
    ["-lu", "1", "--proxy-server", "socks5"],
    /^a proxy server \(--proxy-server\) needs a stream listener/,
  ],
  [
    ["-l", "1", "--proxy-server", "http", "-q", "1"],
    /^option -q has no effect on a proxy server: /,
  ],
  [
    ["-l", "1", "--proxy-server", "socks5", "--proxy-auth", `${"u".repeat(256)}:p`],
    /^--proxy-auth user name and password must be at most 255 bytes each for socks5$/,
  ],
  [
    ["-l", "1", "--proxy-server", "http", "-e", "cat"],
    /^choose one of --serve, --forward, --proxy-server, /,
  ],
  [
    ["-l", "1", "--proxy-server", "socks4"],
    /^bad value 'socks4' for --proxy-server with -l: a proxy server speaks socks5 or http$/,
  ],
  [["-l", "--proxy-type", "socks4", "1"], /^bad value 'socks4' for --proxy-type with -l: /],
  [["-l", "1", "--proxy-type", "http", "--proxy-auth", "nocolon"], /^bad value for --proxy-auth: /],
  [
    ["--ssl", "--ssl-pin", "sha1:00", "h", "1"],
    /^bad value 'sha1:00' for --ssl-pin: expected sha256:HEX/,
  ],
];

/** The usage error `args` is refused with. */
function refusal(args: string[]): SocktoolError {
  let err: unknown;
  try {
    parseCommandLine(args);
  } catch (e) {
    err = e;
  }
  if (!(err instanceof SocktoolError)) throw new Error(`not refused: ${args.join(" ")}: ${err}`);
  if (err.exitCode !== 2) throw new Error(`exit code ${err.exitCode}`);
  return err;
}

for (const [args, re] of CASES) {
  Deno.test(`rule: socktool ${args.join(" ")} is refused with ${re.source}`, () => {
    const err = refusal(args);
    if (!re.test(err.message)) throw new Error(`message '${err.message}' does not match ${re}`);
  });
}

/** A command line that gives `name` (with a value if it takes one) in a mode where it is valid. */
const VALUE: Record<string, string[]> = {
  "quit-after-eof": ["-q", "1"],
  interval: ["-i", "1"],
  output: ["-o", "/dev/null"],
  "hex-dump": ["-x", "/dev/null"],
  source: ["-s", "127.0.0.1"],
  port: ["-p", "5000"],
  serve: ["--serve", "echo"],
  forward: ["--forward", "127.0.0.1:1"],
};
const MODE: Record<string, string[]> = {
  "zero-io": ["-z"],
  serve: ["-lk", "--serve", "echo"],
  forward: ["-lk", "--forward", "127.0.0.1:1"],
  broker: ["-l", "--broker"],
  chat: ["-l", "--chat"],
  "recv-only": ["--recv-only"],
  "send-only": ["--send-only"],
  udp: ["-u"],
  "wait-for": ["--wait-for", "1"],
};

for (const [mode, ignored] of IGNORED) {
  for (const other of ignored) {
    const args = [...MODE[mode], ...(VALUE[other] ?? [flagName(other)]), "127.0.0.1", "1"];
    Deno.test(`rule: socktool ${args.join(" ")} is refused: ${mode} ignores ${flagName(other)}`, () => {
      const expected = `options ${flagName(mode)} and ${flagName(other)} cannot be used together: `;
      const err = refusal(args);
      if (!err.message.startsWith(expected)) {
        throw new Error(`message '${err.message}' does not start with '${expected}'`);
      }
    });
  }
}

// --- WebSocket (lib/ws/) ---

/** One command line per WebSocket rule or bad value: it must be refused with that line. */
const WS_CASES: [string[], RegExp][] = [
  [["--ws", "1"], /^option --ws needs -l$/],
  [["-z", "ws://h/", "1"], /^option -z probes HOST PORT\.\.\., not a URL$/],
  [
    ["-l", "ws://h/"],
    /^option -l listens on a PORT, not a URL: serve WebSocket clients with -l --ws PORT$/,
  ],
  [["--binary", "h", "1"], /^option --binary needs a WebSocket endpoint: ws:\/\/HOST:PORT\/PATH, /],
  [["-l", "1", "--binary"], /^option --binary needs a WebSocket endpoint: /],
  [["--header", "X: y", "h", "1"], /^option --header needs a WebSocket endpoint: /],
  [["--subprotocol", "chat", "h", "1"], /^option --subprotocol needs a WebSocket endpoint: /],
  [["-u", "ws://h/"], /^option -u cannot be used with WebSocket: it runs over TCP$/],
  [["-lu", "--ws", "1"], /^option -u cannot be used with WebSocket: it runs over TCP$/],
  [["-U", "ws://h/"], /^option -U takes a socket PATH, not a URL$/],
  [
    ["--ssl", "ws://h/"],
    /^option --ssl with a ws:\/\/ URL: write wss:\/\/ for WebSocket over TLS$/,
  ],
  [
    ["-l", "1", "--forward", "wss://h/", "--ssl-cert", "c"],
    /^options --ssl-cert, --ssl-key and --ssl-alpn are the listener's and need --ssl /,
  ],
  [
    ["-l", "1", "--forward", "wss://h/", "--ssl-insecure", "--ssl-trustfile", "t"],
    /^options --ssl-insecure and --ssl-trustfile cannot be used together/,
  ],
  [
    ["-l", "1", "--forward", "wss://h/", "--ssl-servername", ""],
    /^option --ssl-servername needs a name/,
  ],
  [
    ["ws://h:99999/"],
    /^bad URL 'ws:\/\/h:99999\/': bad port '99999': must be a number from 1 to 65535$/,
  ],
  [["http://h/"], /^bad URL 'http:\/\/h\/': the scheme must be ws or wss, not 'http'$/],
  [["ws://"], /^bad URL 'ws:\/\/': no host$/],
  [["ws://h/", "extra"], /^unexpected argument 'extra' after the URL$/],
  [
    ["-l", "1", "--forward", "ws://h/#x"],
    /^bad value 'ws:\/\/h\/#x' for --forward: a WebSocket URL has no #fragment$/,
  ],
  [
    ["--header", "NoColon", "ws://h/"],
    /^bad value 'NoColon' for --header: expected 'Name: value'$/,
  ],
  [["--header", "Bad Name: x", "ws://h/"], /^bad header name 'Bad Name' in --header: /],
  [["--header", "X: a\r\nEvil: 1", "ws://h/"], /^bad value for --header X: control characters/],
  [
    ["--header", "Sec-WebSocket-Key: x", "ws://h/"],
    /^option --header cannot set Sec-WebSocket-Key: /,
  ],
  [["--header", "Sec-WebSocket-Protocol: x", "ws://h/"], /\(use --subprotocol\)$/],
  [
    ["--subprotocol", "a b", "ws://h/"],
    /^bad value 'a b' for --subprotocol: 'a b' is not a protocol name$/,
  ],
  [["-4", "ws://[::1]:80/"], /^option -4 cannot be used with the IPv6 address ::1$/],
  [["-n", "ws://localhost/"], /^option -n forbids name lookup, but 'localhost' is a name$/],
  [
    ["-l", "1", "--ssl", "--ssl-trustfile", "t", "--forward", "ws://h/"],
    /^option --ssl-trustfile with -l needs --ssl-verify: /,
  ],
];

for (const [args, re] of WS_CASES) {
  Deno.test(`rule: socktool ${args.join(" ")} is refused with ${re.source}`, () => {
    const err = refusal(args);
    if (!re.test(err.message)) throw new Error(`message '${err.message}' does not match ${re}`);
  });
}
