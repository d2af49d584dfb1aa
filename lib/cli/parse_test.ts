import { assertEquals, assertThrows } from "../_test_utils.ts";
import assert from "node:assert/strict";
import { parseCommandLine } from "./parse.ts";
import { SocktoolError } from "../errors.ts";

function usageMessage(args: string[]): string {
  const err = assertThrows(() => parseCommandLine(args), SocktoolError);
  assertEquals(err.exitCode, 2, `exit code for ${args.join(" ")}`);
  return err.message;
}

Deno.test("parseCommandLine reads grouped short options with a trailing value", () => {
  const o = parseCommandLine(["-lvnp", "4444"]);
  assertEquals(o.mode, "listen");
  if (o.mode !== "listen") return;
  assertEquals(o.local, { kind: "inet", host: undefined, port: 4444 });
  assertEquals(o.verbose, 1);
  assertEquals(o.numeric, true);
});

Deno.test("parseCommandLine counts repeated -v", () => {
  const o = parseCommandLine(["-vv", "-v", "127.0.0.1", "80"]);
  assertEquals(o.mode === "connect" && o.verbose, 3);
});

Deno.test("parseCommandLine reads connect HOST PORT with timeouts in milliseconds", () => {
  const o = parseCommandLine(["-w", "1.5", "-q", "0", "example.test", "8080"]);
  if (o.mode !== "connect") throw new Error(o.mode);
  assertEquals(o.target, { kind: "inet", host: "example.test", port: 8080 });
  assertEquals(o.waitMs, 1500);
  assertEquals(o.quitAfterEofMs, 0);
  assertEquals(o.transport, "tcp");
});

Deno.test("parseCommandLine accepts -l HOST PORT, -l PORT and -l -p PORT", () => {
  const table: [string[], string | undefined, number][] = [
    [["-l", "127.0.0.1", "9000"], "127.0.0.1", 9000],
    [["-l", "9001"], undefined, 9001],
    [["-l", "-p", "9002"], undefined, 9002],
    [["-l", "-s", "::1", "-p", "9003"], "::1", 9003],
    [["-l", "[::1]", "9004"], "::1", 9004],
    [["-l", "0"], undefined, 0],
  ];
  for (const [args, host, port] of table) {
    const o = parseCommandLine(args);
    if (o.mode !== "listen" || o.local.kind !== "inet") throw new Error(args.join(" "));
    assertEquals([o.local.host, o.local.port], [host, port], args.join(" "));
  }
});

Deno.test("parseCommandLine returns help and version", () => {
  assertEquals(parseCommandLine(["--help"]).mode, "help");
  assertEquals(parseCommandLine(["-h"]).mode, "help");
  assertEquals(parseCommandLine(["--version"]).mode, "version");
});

Deno.test("parseCommandLine reads -e into argv without a shell", () => {
  const o = parseCommandLine(["-l", "9000", "-e", "/bin/cat -n"]);
  assertEquals(o.mode === "listen" && o.exec, ["/bin/cat", "-n"]);
});

Deno.test("parseCommandLine reads probe ports and ranges in ascending order", () => {
  const o = parseCommandLine(["-zv", "127.0.0.1", "30", "20-22", "8080"]);
  if (o.mode !== "probe") throw new Error(o.mode);
  assertEquals(o.ports, [20, 21, 22, 30, 8080]);
  assertEquals(o.verbose, 1);
});

Deno.test("parseCommandLine reads proxy settings with defaults", () => {
  const o = parseCommandLine([
    "--proxy",
    "127.0.0.1",
    "--proxy-type",
    "http",
    "--proxy-auth",
    "u:p:q",
    "h",
    "80",
  ]);
  if (o.mode !== "connect") throw new Error(o.mode);
  assertEquals(o.proxy, {
    host: "127.0.0.1",
    port: 3128,
    type: "http",
    auth: { user: "u", pass: "p:q" },
  });
});

Deno.test("parseCommandLine rejects bad input with exit 2 and a message naming it", () => {
  const table: [string[], RegExp][] = [
    [["-y", "h", "1"], /unknown option -y/],
    [["--frobnicate"], /unknown option --frobnicate/],
    [["127.0.0.1"], /missing port after host '127.0.0.1'/],
    [[], /missing host and port/],
    [["-l"], /missing port/],
    [["127.0.0.1", "0"], /bad port '0'/],
    [["127.0.0.1", "70000"], /bad port '70000'/],
    [["127.0.0.1", "abc"], /bad port 'abc'/],
    [["-l", "70000"], /bad port '70000'/],
    [["-n", "localhost", "80"], /-n forbids name lookup/],
    [["-l", "-s", "1.2.3.999", "-p", "80"], /bad address '1.2.3.999'/],
    [["1.2.3.999", "80"], /bad address/],
    [["-w", "abc", "h", "1"], /bad value 'abc' for -w/],
    [["-q", "-1", "h", "1"], /-q/],
    [["-i", "-2", "h", "1"], /-i/],
    [["-z", "h", "30-20"], /bad port range '30-20'/],
    [["-z", "h", "65000-70000"], /bad port '70000'/],
    [["-4", "::1", "80"], /-4 cannot be used with the IPv6 address ::1/],
    [["-6", "127.0.0.1", "80"], /-6 cannot be used with the IPv4 address/],
    [["-4", "-6", "h", "80"], /-4 and -6/],
    [["-k", "h", "80"], /-k needs -l/],
    [["--send-only", "--recv-only", "h", "1"], /--send-only and --recv-only/],
    [["-U", "/tmp/x", "80"], /-U takes a socket PATH/],
    [["-lU", "-p", "80", "/tmp/x"], /-U takes a socket PATH, not a port/],
    [["-uU"], /missing socket path/],
    [["--broker", "h", "1"], /--broker needs -l/],
    [["-l", "1", "--serve", "nope"], /unknown --serve name 'nope'/],
    [["-l", "1", "-e", "cat", "-c", "cat"], /-e and -c/],
    [["-p"], /needs a value/],
    [["--ssl-cert", "x", "h", "1"], /--ssl-cert needs --ssl/],
    [["--proxy", "p:1", "--proxy-type", "gopher", "h", "1"], /bad proxy type/],
    [["-l", "--proxy", "p:1", "1"], /-l and --proxy/],
    [["-z", "-l", "h", "1"], /-z and -l/],
    [["--json", "h", "1"], /--json needs -z/],
    [["-m", "0", "-l", "1"], /bad value '0' for -m/],
    [["-l", "1", "--forward", "nohostport"], /expected HOST:PORT/],
  ];
  for (const [args, re] of table) {
    const msg = usageMessage(args);
    if (!re.test(msg)) throw new Error(`${args.join(" ")}: message '${msg}' does not match ${re}`);
  }
});

Deno.test("parseCommandLine lets -n pass with a Unix datagram -s PATH: a path is not a name", () => {
  const o = parseCommandLine(["-uUn", "-s", "/tmp/client.sock", "/tmp/server.sock"]);
  assertEquals(o.mode === "connect" && o.sourceAddr, "/tmp/client.sock");
});

Deno.test("parseCommandLine refuses empty values with exit 2, naming what is empty", () => {
  const table: [string[], RegExp][] = [
    [["", "80"], /^empty HOST: give an address or a name$/],
    [["-l", "", "80"], /^empty HOST: /],
    [["-z", "", "80"], /^empty HOST: /],
    [["-s", "", "127.0.0.1", "80"], /^empty value for -s: give an address or a name$/],
    [["-l", "-s", "", "80"], /^empty value for -s: /],
    [["-U", ""], /^empty PATH: give a socket path$/],
    [["-lU", ""], /^empty PATH: give a socket path$/],
    [["-luU", ""], /^empty PATH: /],
    [["-uU", "-s", "", "/tmp/x"], /^empty value for -s: give a socket path$/],
    [["--proxy", "", "127.0.0.1", "80"], /^bad value '' for --proxy: expected HOST\[:PORT\]$/],
  ];
  for (const [args, re] of table) {
    const msg = usageMessage(args);
    if (!re.test(msg)) throw new Error(`${args.join(" ")}: message '${msg}' does not match ${re}`);
  }
});

Deno.test("parseCommandLine reads --proxy as HOST[:PORT], quoting what was typed when it is bad", () => {
  const proxyOf = (spec: string, type = "socks5") => {
    const o = parseCommandLine(["--proxy", spec, "--proxy-type", type, "h", "80"]);
    return o.mode === "connect" ? o.proxy && [o.proxy.host, o.proxy.port] : undefined;
  };
  assertEquals(proxyOf("p"), ["p", 1080]);
  assertEquals(proxyOf("p", "http"), ["p", 3128]);
  assertEquals(proxyOf("p:8"), ["p", 8]);
  assertEquals(proxyOf("[::1]:8"), ["::1", 8]);
  assertEquals(proxyOf("[::1]"), ["::1", 1080]);
  assertEquals(proxyOf("::1"), ["::1", 1080]);
  assertEquals(proxyOf("127.0.0.1"), ["127.0.0.1", 1080]);
  for (const bad of ["", "[::1", "a:b:c", "p:", ":8", "[]"]) {
    assertEquals(
      usageMessage(["--proxy", bad, "h", "80"]),
      `bad value '${bad}' for --proxy: expected HOST[:PORT]`,
    );
  }
});

Deno.test("parseCommandLine reads -w, -q and -i with units, bounded by the timers", () => {
  const o = parseCommandLine(["-w", "2m", "-q", "500ms", "-i", "0.25", "h", "1"]);
  if (o.mode !== "connect") throw new Error(o.mode);
  assertEquals([o.waitMs, o.quitAfterEofMs, o.intervalMs], [120_000, 500, 250]);
  const z = parseCommandLine(["-z", "-w", "1h", "h", "1"]);
  assertEquals(z.mode === "probe" && z.waitMs, 3_600_000);
  for (const flag of ["-w", "-q", "-i"]) {
    assertEquals(
      usageMessage([flag, "3000000", "h", "1"]),
      `bad value '3000000' for ${flag}: at most 2147483.647 s (about 24.8 days), the longest a timer can wait`,
    );
  }
  assertEquals(
    usageMessage(["-z", "-w", "25d", "h", "1"]).startsWith("bad value '25d' for -w: "),
    true,
  );
});

Deno.test("parseCommandLine says netcat's way what strict parsing refuses, first problem first", () => {
  const table: [string[], string][] = [
    [["-y", "h", "1"], "unknown option -y"],
    [["-lyv", "1"], "unknown option -y"],
    [["--frob=1", "-y"], "unknown option --frob"],
    [["--listen=x", "1"], "option --listen takes no value"],
    [["-p"], "option -p/--port needs a value"],
    [["--proxy"], "option --proxy needs a value"],
    [
      ["-p", "-v"],
      "option -p needs a value, not another option (write -pVALUE for a value that starts with '-')",
    ],
    [
      ["--port", "--listen"],
      "option --port needs a value, not another option (write --port=VALUE for a value that starts with '-')",
    ],
  ];
  for (const [args, msg] of table) assertEquals(usageMessage(args), msg, args.join(" "));
  // A value written inline may start with '-'; '-' alone is a value.
  const o = parseCommandLine(["-o", "-", "-x-dump", "h", "1"]);
  assertEquals(o.mode === "connect" && [o.output, o.hexDump], ["-", "-dump"]);
  assertEquals(
    usageMessage(["-l", "1", "--serve=-x"]),
    "unknown --serve name '-x': choose one of echo, discard, daytime, chargen, upper, timestamp",
  );
});

Deno.test("parseCommandLine reads a port glued to short flags: -l9999, -lvk9999", () => {
  const o = parseCommandLine(["-lvk9999"]);
  if (o.mode !== "listen" || o.local.kind !== "inet") throw new Error(o.mode);
  assertEquals([o.local.port, o.verbose, o.keepOpen], [9999, 1, true]);
  const l = parseCommandLine(["-l9999"]);
  assertEquals(l.mode === "listen" && l.local.kind === "inet" && l.local.port, 9999);
  // -l4 is still listen over IPv4.
  const v4 = parseCommandLine(["-l4", "9999"]);
  assertEquals(v4.mode === "listen" && [v4.family, v4.local.kind === "inet" && v4.local.port], [
    4,
    9999,
  ]);
});

Deno.test("parseCommandLine takes HOST:PORT and [V6]:PORT as one argument", () => {
  const c = parseCommandLine(["localhost:9999"]);
  assertEquals(c.mode === "connect" && c.target, { kind: "inet", host: "localhost", port: 9999 });
  const v6 = parseCommandLine(["-v", "[::1]:80"]);
  assertEquals(v6.mode === "connect" && v6.target, { kind: "inet", host: "::1", port: 80 });
  const l = parseCommandLine(["-l", "127.0.0.1:9999"]);
  assertEquals(l.mode === "listen" && l.local, { kind: "inet", host: "127.0.0.1", port: 9999 });
  const z = parseCommandLine(["-z", "127.0.0.1:20-22"]);
  assertEquals(z.mode === "probe" && [z.host, z.ports], ["127.0.0.1", [20, 21, 22]]);
  // A Unix socket path may hold a colon: it is a path.
  const u = parseCommandLine(["-U", "/tmp/a:1"]);
  assertEquals(u.mode === "connect" && u.target, { kind: "unix", path: "/tmp/a:1" });
  assertEquals(
    usageMessage(["localhost:9999", "80"]),
    "give the port once: 'localhost:9999' already names port 9999",
  );
  assertEquals(
    usageMessage(["localhost:70000"]),
    "bad port '70000': must be a number from 1 to 65535",
  );
});

Deno.test("parseCommandLine tells a bare port how to listen, with a hint for connecting", () => {
  const err = assertThrows(() => parseCommandLine(["9999"]), SocktoolError);
  assertEquals(
    [err.exitCode, err.message, err.hint],
    [
      2,
      "to listen on 9999, type socktool -l 9999",
      "to connect, give the host too: socktool HOST 9999",
    ],
  );
  assertEquals(usageMessage(["-u", "53"]), "to listen on 53, type socktool -ul 53");
  assertEquals(usageMessage(["-v9999"]), "to listen on 9999, type socktool -l 9999");
});

Deno.test("parseCommandLine suggests the closest long option for an unknown one", () => {
  const err = assertThrows(() => parseCommandLine(["--sslx", "h", "1"]), SocktoolError);
  assertEquals([err.exitCode, err.message, err.hint], [
    2,
    "unknown option --sslx",
    "did you mean --ssl?",
  ]);
  const far = assertThrows(() => parseCommandLine(["--frobnicate"]), SocktoolError);
  assertEquals(far.hint, "see 'socktool --help'");
  const eq = assertThrows(() => parseCommandLine(["--lsiten=1"]), SocktoolError);
  assertEquals(eq.hint, "did you mean --listen?");
});

Deno.test("parseCommandLine accepts ncat's --ssl-verify as --ssl", () => {
  const o = parseCommandLine(["--ssl-verify", "h", "443"]);
  assertEquals(o.mode === "connect" && o.tls?.insecure, false);
  const both = parseCommandLine(["--ssl", "--ssl-verify", "--ssl-trustfile", "ca.pem", "h", "443"]);
  assertEquals(both.mode === "connect" && both.tls?.trustFile, "ca.pem");
});

Deno.test("parseCommandLine reads --completions SHELL and refuses other shells", () => {
  assertEquals(parseCommandLine(["--completions", "zsh"]), { mode: "completions", shell: "zsh" });
  assertEquals(
    usageMessage(["--completions", "tcsh"]),
    "bad value 'tcsh' for --completions: choose bash, zsh or fish",
  );
});

// --- WebSocket (lib/ws/) ---

Deno.test("parse: a ws:// URL connects to its host and port, in text mode by default", () => {
  const o = parseCommandLine(["ws://127.0.0.1:9000/chat?x=1"]);
  assert(o.mode === "connect");
  assertEquals(o.target, { kind: "inet", host: "127.0.0.1", port: 9000 });
  assertEquals(o.ws?.url.path, "/chat?x=1");
  assertEquals(o.ws?.binary, false);
  assertEquals(o.tls, undefined);
});

Deno.test("parse: a wss:// URL turns TLS on, with the --ssl-* options and the headers", () => {
  const o = parseCommandLine([
    "--ssl-trustfile",
    "ca.pem",
    "--binary",
    "--header",
    "Authorization: Bearer x:y",
    "--subprotocol",
    "a, b",
    "wss://h.test/",
  ]);
  assert(o.mode === "connect");
  assertEquals(o.target, { kind: "inet", host: "h.test", port: 443 });
  assertEquals(o.tls?.trustFile, "ca.pem");
  assertEquals(o.ws?.binary, true);
  assertEquals(o.ws?.headers, [["Authorization", "Bearer x:y"]]);
  assertEquals(o.ws?.subprotocols, ["a", "b"]);
});

Deno.test("parse: -l --ws PORT carries the WebSocket settings", () => {
  const o = parseCommandLine(["-lk", "--ws", "8080", "--subprotocol", "chat"]);
  assert(o.mode === "listen");
  assertEquals(o.ws, { binary: false, headers: [], subprotocols: ["chat"] });
  assertEquals(o.forwardWs, undefined);
});

Deno.test("parse: --forward wss:// keeps the target's trust apart from the listener's --ssl", () => {
  const o = parseCommandLine([
    "-l",
    "--ssl",
    "8443",
    "--forward",
    "wss://backend.test:9443/x",
    "--ssl-trustfile",
    "ca.pem",
  ]);
  assert(o.mode === "listen");
  assertEquals(o.forward, { kind: "tcp", host: "backend.test", port: 9443 });
  assertEquals(o.forwardWs?.url.path, "/x");
  assertEquals(o.forwardWs?.tls?.trustFile, "ca.pem");
  assertEquals(o.tls?.trustFile, undefined);
  const plain = parseCommandLine(["-l", "80", "--forward", "wss://b.test/"]);
  assert(plain.mode === "listen");
  assertEquals(plain.tls, undefined);
  assertEquals(plain.forwardWs?.tls?.insecure, false);
});

Deno.test("parseCommandLine reads a proxy server, in socktool's and in ncat's spelling", () => {
  const socks = parseCommandLine([
    "-l",
    "1080",
    "--proxy-server",
    "SOCKS5",
    "--proxy-auth",
    "u:p:q",
  ]);
  assertEquals(socks.mode === "listen" && socks.proxyServer, {
    type: "socks5",
    auth: { user: "u", pass: "p:q" },
  });
  const http = parseCommandLine(["-l", "--proxy-type", "http", "3128", "-m", "5"]);
  if (http.mode !== "listen") throw new Error(http.mode);
  assertEquals(http.proxyServer, { type: "http", auth: undefined });
  assertEquals(http.maxConns, 5);
  const plain = parseCommandLine(["-l", "1"]);
  assertEquals(plain.mode === "listen" && plain.proxyServer, undefined);
});

Deno.test("parseCommandLine reads --ssl-pin in every spelling a fingerprint is printed in", () => {
  const hex = "ab".repeat(32);
  const colons = "AB:".repeat(31) + "AB";
  for (
    const pin of [`sha256:${hex}`, `SHA256:${hex.toUpperCase()}`, `sha-256:${colons}`, colons, hex]
  ) {
    const o = parseCommandLine(["--ssl", "--ssl-pin", pin, "h", "1"]);
    assertEquals(o.mode === "connect" && o.tls?.pins, [hex], pin);
  }
  const two = parseCommandLine([
    "-l",
    "1",
    "--ssl",
    "--ssl-pin",
    hex,
    "--ssl-pin",
    "cd".repeat(32),
  ]);
  assertEquals(two.mode === "listen" && two.tls?.pins, [hex, "cd".repeat(32)]);
  for (const bad of ["sha256:" + hex.slice(2), hex + "00", "md5:" + hex, "AB:CD" + hex.slice(4)]) {
    usageMessage(["--ssl", "--ssl-pin", bad, "h", "1"]);
  }
});

Deno.test("parseCommandLine accepts --ssl-verify on a client, and on a listener with a trust file", () => {
  const client = parseCommandLine(["--ssl", "--ssl-verify", "h", "443"]);
  assertEquals(client.mode === "connect" && client.tls?.verify, true);
  const server = parseCommandLine([
    "-l",
    "1",
    "--ssl",
    "--ssl-verify",
    "--ssl-trustfile",
    "ca.pem",
  ]);
  assertEquals(server.mode === "listen" && [server.tls?.verify, server.tls?.trustFile], [
    true,
    "ca.pem",
  ]);
});
