import assert from "node:assert/strict";
import { closeSessionLogs, sessionStages, type TransformOptions } from "./stages.ts";
import { openSessionLog } from "./capture.ts";
import { openHexDump } from "./hex_dump.ts";
import { composeStages, type Sink, writeAll } from "../io/sink.ts";
import type { ProgressOutput } from "./progress.ts";
import { concat, RecordSink, utf8 } from "../io/_test_utils.ts";

const NONE: TransformOptions = {
  crlf: false,
  intervalMs: 0,
  appendOutput: false,
  timestamp: false,
  progress: false,
  verbose: 0,
};

const notATerminal: ProgressOutput = { writeSync: (p) => p.length, isTerminal: () => false };

Deno.test("sessionStages with no options gives empty lists: the relay writes straight through", () => {
  const stages = sessionStages(NONE);
  assert.deepEqual(stages.outbound, []);
  assert.deepEqual(stages.inbound, []);
  assert.equal(stages.stats, undefined);
});

Deno.test("sessionStages counts only when --progress asks: -v costs no stage", () => {
  const progress = sessionStages({ ...NONE, progress: true }, {}, { progressOutput: notATerminal });
  assert.equal(progress.outbound.length, 1);
  assert.ok(progress.stats);
  progress.finish();
  const verbose = sessionStages({ ...NONE, verbose: 1 });
  assert.deepEqual(verbose.outbound, []);
  assert.deepEqual(verbose.inbound, []);
});

Deno.test("sessionStages adds one -L stage each way, pacing before the --progress counts", async () => {
  const controller = new AbortController();
  const stages = sessionStages({ ...NONE, rateLimit: 1000, progress: true }, {}, {
    progressOutput: notATerminal,
    signal: controller.signal,
  });
  assert.equal(stages.outbound.length, 2);
  assert.equal(stages.inbound.length, 2);
  const out = new RecordSink();
  const sink = composeStages(stages.outbound, out);
  // 1000 bytes/s, starting empty: the first 50-byte slice is counted only once it may go.
  const pending = sink.write(new Uint8Array(100));
  assert.equal(stages.stats!.bytes("sent"), 0);
  controller.abort(new Error("session over"));
  await assert.rejects(pending, /session over/);
  stages.finish();
});

Deno.test("sessionStages gives --progress the size: --size, else stdin's, else none", () => {
  const draws = (options: Partial<TransformOptions>, stdinSize?: number) => {
    const text: string[] = [];
    const terminal: ProgressOutput = {
      writeSync: (p) => (text.push(new TextDecoder().decode(p)), p.length),
      isTerminal: () => true,
    };
    const stages = sessionStages({ ...NONE, progress: true, ...options }, {}, {
      progressOutput: terminal,
      stdinSize,
    });
    stages.finish();
    return text[0];
  };
  assert.match(draws({ size: 2048 }), /sent 0 B of 2\.00 KiB \(0%/);
  assert.match(draws({ size: 2048 }, 4096), /sent 0 B of 2\.00 KiB \(0%/, "--size wins");
  assert.match(draws({}, 4096), /sent 0 B of 4\.00 KiB \(0%/);
  assert.match(draws({ size: 10, recvOnly: true }), /received 0 B of 10 B \(0%/);
  assert.doesNotMatch(draws({ recvOnly: true }, 4096), / of /, "--recv-only never reads stdin");
  assert.doesNotMatch(draws({}), / of /);
});

/** Reads a connection to its end through `sink`, one reused buffer, as the relay does. */
async function pump(conn: Deno.Conn, sink: Sink): Promise<void> {
  const buf = new Uint8Array(7); // small on purpose: lines and characters split across reads
  for (let n; (n = await conn.read(buf)) !== null;) await sink.write(buf.subarray(0, n));
  await sink.close();
}

async function readToEnd(conn: Deno.Conn): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  await pump(conn, {
    write: (c) => (parts.push(c.slice()), Promise.resolve()),
    close: async () => {},
  });
  return concat(parts);
}

Deno.test("all stages together carry exact bytes through a real loopback TCP connection", async () => {
  const dir = await Deno.makeTempDir();
  const options: TransformOptions = {
    crlf: true,
    intervalMs: 5,
    output: `${dir}/session.log`,
    hexDump: `${dir}/session.hex`,
    appendOutput: false,
    timestamp: true,
    progress: false,
    verbose: 1,
  };
  const request = utf8("HELO €\r\nDATA 日本\nend\n");
  const reply = concat([
    utf8("250 ok\n"),
    new Uint8Array([0xff, 0x00]),
    utf8("\nlast, no newline"),
  ]);
  try {
    const logs = {
      output: await openSessionLog(options.output!, false),
      hexDump: await openHexDump(options.hexDump!, false),
    };
    using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const server = (async () => {
      using conn = await listener.accept();
      const got = await readToEnd(conn); // until our half-close
      await writeAll(conn, reply);
      return got;
    })();
    using conn = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
    const stages = sessionStages(options, logs);
    const stdout = new RecordSink();
    const toConn = composeStages(stages.outbound, {
      write: (c) => writeAll(conn, c),
      close: () => conn.closeWrite(),
    });
    const fromConn = pump(conn, composeStages(stages.inbound, stdout));
    // Stdin chunks cut inside "€", inside "\r\n" and inside "日".
    const buf = new Uint8Array(64);
    for (const [from, to] of [[0, 6], [6, 7], [7, 8], [8, 15], [15, request.length]]) {
      buf.set(request.subarray(from, to));
      await toConn.write(buf.subarray(0, to - from));
      buf.fill(0x58);
    }
    await toConn.close();
    const serverGot = await server;
    await fromConn;
    stages.finish();
    await closeSessionLogs(logs);

    const sent = utf8("HELO €\r\nDATA 日本\r\nend\r\n");
    assert.deepEqual(serverGot, sent);
    const stamp = String.raw`\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] `;
    const lines = new TextDecoder("latin1").decode(stdout.bytes());
    assert.match(lines, new RegExp(`^${stamp}250 ok\n${stamp}\xff\x00\n${stamp}last, no newline$`));
    assert.deepEqual(await Deno.readFile(options.output!), concat([sent, reply]));
    const hex = (await Deno.readTextFile(options.hexDump!)).split("\n");
    assert.ok(hex.some((l) => l.startsWith("> 0000   48 45 4c 4f")), hex.join("\n"));
    assert.ok(hex.some((l) => l.startsWith("< 0000   32 35 30 20")), hex.join("\n"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("outbound stages keep datagrams whole over real loopback UDP, a 0-length one included", async () => {
  const receiver = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const sender = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  try {
    const to = receiver.addr;
    const stages = sessionStages({ ...NONE, crlf: true, intervalMs: 5, progress: true }, {}, {
      datagrams: true,
      progressOutput: notATerminal,
    });
    const sink = composeStages(stages.outbound, {
      write: async (c) => void await sender.send(c, to),
      close: async () => {},
    });
    const datagrams = ["one\ntwo\n", "", "three\r", "\nfour"].map(utf8);
    for (const d of datagrams) await sink.write(d);
    await sink.close();
    const got: string[] = [];
    for (let i = 0; i < datagrams.length; i++) {
      const [data] = await receiver.receive();
      got.push(new TextDecoder().decode(data));
    }
    assert.deepEqual(got, ["one\r\ntwo\r\n", "", "three\r", "\nfour"]);
    assert.equal(stages.stats?.bytes("sent"), 10 + 0 + 6 + 5);
    stages.finish();
  } finally {
    receiver.close();
    sender.close();
  }
});
