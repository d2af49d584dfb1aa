import assert from "node:assert/strict";
import { crlfStage } from "./crlf.ts";
import { concat, feed, RecordSink, utf8 } from "../io/_test_utils.ts";

async function run(chunks: (Uint8Array | string)[]): Promise<RecordSink> {
  const rec = new RecordSink();
  await feed(crlfStage(rec), chunks);
  return rec;
}

Deno.test("crlf turns each bare LF into CRLF", async () => {
  const rec = await run(["a\nb\n\nc"]);
  assert.deepEqual(rec.bytes(), utf8("a\r\nb\r\n\r\nc"));
});

Deno.test("crlf leaves an existing CRLF alone", async () => {
  const rec = await run(["GET / HTTP/1.0\r\n\r\n", "x\r\ny\n"]);
  assert.deepEqual(rec.bytes(), utf8("GET / HTTP/1.0\r\n\r\nx\r\ny\r\n"));
});

Deno.test("crlf does not double a CR that ended the previous chunk", async () => {
  const rec = await run(["line\r", "\nnext\r", "\n"]);
  assert.deepEqual(rec.bytes(), utf8("line\r\nnext\r\n"));
});

Deno.test("crlf adds a CR to an LF starting a chunk after a chunk not ending in CR", async () => {
  const rec = await run(["line", "\nmore", "\n"]);
  assert.deepEqual(rec.bytes(), utf8("line\r\nmore\r\n"));
});

Deno.test("crlf keeps a lone CR and CR CR LF as they are", async () => {
  const rec = await run(["a\rb\r\r\n"]);
  assert.deepEqual(rec.bytes(), utf8("a\rb\r\r\n"));
});

Deno.test("crlf passes bytes of multi-byte characters split across chunks untouched", async () => {
  const text = utf8("€uro\n日本\n");
  const rec = await run([
    text.subarray(0, 1),
    text.subarray(1, 2),
    text.subarray(2, 9),
    text.subarray(9),
  ]);
  assert.deepEqual(rec.bytes(), utf8("€uro\r\n日本\r\n"));
});

Deno.test("crlf passes arbitrary binary bytes, including 0x0d 0x0a inside invalid UTF-8", async () => {
  const bin = new Uint8Array([0xff, 0x0a, 0xfe, 0x0d, 0x0a, 0x80, 0x0a]);
  const rec = await run([bin]);
  assert.deepEqual(
    rec.bytes(),
    new Uint8Array([0xff, 0x0d, 0x0a, 0xfe, 0x0d, 0x0a, 0x80, 0x0d, 0x0a]),
  );
});

Deno.test("crlf keeps chunk count: one chunk out per chunk in, empty ones included", async () => {
  const rec = await run(["a\n", "", "b", "\n", new Uint8Array(0)]);
  assert.deepEqual(rec.chunks.map((c) => c.length), [3, 0, 1, 2, 0]);
  assert.deepEqual(rec.closed, true);
});

Deno.test("crlf passes a chunk with no bare LF through without copying", async () => {
  const seen: Uint8Array[] = [];
  const sink = crlfStage({
    write: (c) => {
      seen.push(c);
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  });
  const chunk = utf8("no newline\r\n");
  await sink.write(chunk);
  assert.equal(seen[0], chunk);
});

Deno.test("crlf handles a large chunk of only LFs", async () => {
  const rec = await run([new Uint8Array(65536).fill(0x0a)]);
  const want = new Uint8Array(131072);
  for (let i = 0; i < want.length; i += 2) want.set([0x0d, 0x0a], i);
  assert.deepEqual(concat(rec.chunks), want);
});
