import assert from "node:assert/strict";
import { type Reader, readExact, readHttpHead } from "./read_exact.ts";

/** A reader that hands out `data` at most `step` bytes per read and counts what it gave. */
function dripReader(data: string, step: number): Reader & { given(): number } {
  const bytes = new TextEncoder().encode(data);
  let off = 0;
  return {
    read(p) {
      if (off >= bytes.length) return Promise.resolve(null);
      const n = Math.min(step, p.length, bytes.length - off);
      p.set(bytes.subarray(off, off + n));
      off += n;
      return Promise.resolve(n);
    },
    given: () => off,
  };
}

Deno.test("readExact gathers bytes spread over many reads and takes no more", async () => {
  const r = dripReader("abcdefgh", 3);
  assert.equal(new TextDecoder().decode(await readExact(r, 5)), "abcde");
  assert.equal(r.given(), 5);
});

Deno.test("readExact fails with UnexpectedEof when data ends early", async () => {
  await assert.rejects(readExact(dripReader("abc", 2), 4), Deno.errors.UnexpectedEof);
});

Deno.test("readHttpHead stops right after the blank line, leaving the payload unread", async () => {
  const r = dripReader("HTTP/1.1 200 OK\r\nX: y\r\n\r\npayload", 100);
  const head = new TextDecoder().decode(await readHttpHead(r));
  assert.equal(head, "HTTP/1.1 200 OK\r\nX: y\r\n\r\n");
  assert.equal(r.given(), head.length);
});

Deno.test("readHttpHead rejects a head longer than its limit and a stream that ends", async () => {
  await assert.rejects(readHttpHead(dripReader("x".repeat(100), 7), 50), RangeError);
  await assert.rejects(
    readHttpHead(dripReader("HTTP/1.1 200 OK\r\n", 4)),
    Deno.errors.UnexpectedEof,
  );
});

Deno.test("readHttpHead ends at a blank line of bare LFs, or of mixed endings", async () => {
  for (
    const head of ["HTTP/1.1 200 OK\n\n", "HTTP/1.1 200 OK\nX: y\n\n", "HTTP/1.1 200 OK\r\n\n"]
  ) {
    const r = dripReader(`${head}payload`, 1);
    assert.equal(new TextDecoder().decode(await readHttpHead(r)), head, JSON.stringify(head));
    assert.equal(r.given(), head.length);
  }
  // A CR alone inside a line is not an end of line.
  const r = dripReader("HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\npayload", 3);
  assert.equal(
    new TextDecoder().decode(await readHttpHead(r)),
    "HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n",
  );
});
