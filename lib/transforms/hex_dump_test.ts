import assert from "node:assert/strict";
import { formatHexDump, hexDumpStage, openHexDump } from "./hex_dump.ts";
import { concat, feed, RecordSink, utf8 } from "../io/_test_utils.ts";

Deno.test("formatHexDump lays a line out as ncat does: offset, 8+8 hex bytes, printable column", () => {
  const text = formatHexDump(utf8("client says hi and more\n"));
  assert.equal(
    text,
    "0000   63 6c 69 65 6e 74 20 73  61 79 73 20 68 69 20 61  client.says.hi.a\n" +
      "0010   6e 64 20 6d 6f 72 65 0a                           nd.more.        \n",
  );
  for (const line of text.split("\n").slice(0, -1)) assert.equal(line.length, 73);
});

Deno.test("formatHexDump marks the direction and runs the offset on from where it is told", () => {
  assert.equal(
    formatHexDump(new Uint8Array([0x00, 0x7f, 0x80, 0xff, 0x21, 0x7e]), 0x1fff0, "<"),
    "< 1fff0   00 7f 80 ff 21 7e" + " ".repeat(33) + "....!~          \n",
  );
  assert.equal(formatHexDump(new Uint8Array(0), 5, ">"), "");
  const a16 = "41 41 41 41 41 41 41 41  41 41 41 41 41 41 41 41  AAAAAAAAAAAAAAAA";
  assert.equal(
    formatHexDump(new Uint8Array(40).fill(0x41), 0xfff0, ">"),
    `> fff0   ${a16}\n> 10000   ${a16}\n> 10010   ${a16.slice(0, 24)}${" ".repeat(26)}AAAAAAAA${
      " ".repeat(8)
    }\n`,
  );
});

Deno.test("hexDumpStage passes chunks unchanged and keeps one offset per direction", async () => {
  const path = await Deno.makeTempFile();
  try {
    const log = await openHexDump(path, false);
    const out = new RecordSink();
    const inn = new RecordSink();
    const sent = hexDumpStage(log, "sent")(out);
    const received = hexDumpStage(log, "received")(inn);
    const bytes = new Uint8Array(20).map((_, i) => 0x41 + i);
    await feed(sent, [bytes], { close: false });
    await feed(received, ["hi\n", ""], { close: false });
    await feed(sent, ["\xe9"], { close: false }); // "é": 2 bytes of UTF-8
    await feed(received, ["ok"]);
    await feed(sent, []);
    await log.close();
    assert.deepEqual(out.bytes(), new Uint8Array([...bytes, 0xc3, 0xa9]));
    assert.deepEqual(inn.bytes(), utf8("hi\nok"));
    const lines = (await Deno.readTextFile(path)).split("\n");
    assert.deepEqual(lines.map((l) => l.slice(0, 8)), [
      "> 0000  ",
      "> 0010  ",
      "< 0000  ",
      "> 0014  ",
      "< 0003  ",
      "",
    ]);
    assert.equal(lines[3], `> 0014   c3 a9${" ".repeat(45)}..${" ".repeat(14)}`);
  } finally {
    await Deno.remove(path);
  }
});

async function readToEnd(conn: Deno.Conn): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  const buf = new Uint8Array(4096);
  for (let n; (n = await conn.read(buf)) !== null;) parts.push(buf.slice(0, n));
  return concat(parts);
}

Deno.test("formatHexDump matches the ncat --hex-dump file of the same bytes", async () => {
  const dir = await Deno.makeTempDir();
  const payload = new Uint8Array(256).map((_, i) => i);
  try {
    using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const ncat = new Deno.Command("ncat", {
      args: [
        "--send-only",
        "--hex-dump",
        `${dir}/ncat.hex`,
        "127.0.0.1",
        String(listener.addr.port),
      ],
      stdin: "piped",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    using conn = await listener.accept();
    // One write to the pipe: ncat reads it as one chunk, as we dump one chunk.
    const writer = ncat.stdin.getWriter();
    await writer.write(payload);
    await writer.close();
    const received = await readToEnd(conn);
    const { code, stderr } = await ncat.output();
    assert.equal(code, 0, new TextDecoder().decode(stderr));
    assert.deepEqual(received, payload);
    assert.equal(await Deno.readTextFile(`${dir}/ncat.hex`), formatHexDump(payload));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
