import assert from "node:assert/strict";
import {
  applyMask,
  describeCloseCode,
  encodeClosePayload,
  encodeFrame,
  encodeFrames,
  isFailureCode,
  Opcode,
  parseClosePayload,
  parseFrameHeader,
  WsProtocolError,
} from "./frame.ts";

const utf8 = (s: string) => new TextEncoder().encode(s);

Deno.test("encodeFrame writes RFC 6455's unmasked 'Hello' example", () => {
  assert.deepEqual(
    [...encodeFrame(Opcode.Text, utf8("Hello"))],
    [0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f],
  );
});

Deno.test("encodeFrame writes RFC 6455's masked 'Hello' example", () => {
  const mask = new Uint8Array([0x37, 0xfa, 0x21, 0x3d]);
  assert.deepEqual(
    [...encodeFrame(Opcode.Text, utf8("Hello"), mask)],
    [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58],
  );
});

Deno.test("parseFrameHeader reads back every length form: 7-bit, 16-bit and 64-bit", () => {
  for (const length of [0, 1, 125, 126, 127, 65535, 65536, 300_000]) {
    for (const mask of [undefined, new Uint8Array([1, 2, 3, 4])]) {
      const frame = encodeFrame(Opcode.Binary, new Uint8Array(length), mask);
      const h = parseFrameHeader(frame, 0, frame.length)!;
      assert.equal(h.length, length);
      assert.equal(h.opcode, Opcode.Binary);
      assert.equal(h.fin, true);
      assert.equal(h.headerLength + length, frame.length);
      assert.deepEqual(h.mask && [...h.mask], mask && [...mask]);
    }
  }
});

Deno.test("parseFrameHeader waits for a header split across reads", () => {
  const frame = encodeFrame(Opcode.Binary, new Uint8Array(70_000), new Uint8Array(4));
  for (let cut = 0; cut < 14; cut++) {
    assert.equal(parseFrameHeader(frame, 0, cut), undefined, `cut at ${cut}`);
  }
  assert.notEqual(parseFrameHeader(frame, 0, 14), undefined);
});

Deno.test("parseFrameHeader refuses a 64-bit length beyond 2^53", () => {
  const frame = new Uint8Array([0x82, 0x7f, 0x7f, 0xff, 0, 0, 0, 0, 0, 0]);
  assert.throws(() => parseFrameHeader(frame, 0, frame.length), WsProtocolError);
});

Deno.test("applyMask unmasks piece by piece at any offset and alignment", () => {
  const mask = new Uint8Array([0xa1, 0xb2, 0xc3, 0xd4]);
  const data = new Uint8Array(1000).map((_, i) => i * 7);
  const masked = data.slice();
  applyMask(masked, mask, 0);
  for (const cut of [1, 2, 3, 5, 64, 999]) {
    const copy = new Uint8Array(1001);
    copy.set(masked, 1); // unaligned
    applyMask(copy.subarray(1, 1 + cut), mask, 0);
    applyMask(copy.subarray(1 + cut, 1001), mask, cut);
    assert.deepEqual(copy.subarray(1), data, `cut at ${cut}`);
  }
});

Deno.test("encodeFrames puts frames back to back, each masked on its own", () => {
  const masks = [new Uint8Array([1, 1, 1, 1]), new Uint8Array([2, 2, 2, 2])];
  let i = 0;
  const out = encodeFrames(
    [[Opcode.Text, utf8("ab")], [Opcode.Binary, utf8("c")]],
    () => masks[i++],
  );
  assert.deepEqual([...out], [
    ...encodeFrame(Opcode.Text, utf8("ab"), masks[0]),
    ...encodeFrame(Opcode.Binary, utf8("c"), masks[1]),
  ]);
});

Deno.test("parseClosePayload reads a code and reason, 1005 for none, and refuses codes never sent", () => {
  assert.deepEqual(parseClosePayload(encodeClosePayload(1000, utf8("bye"))), {
    code: 1000,
    reason: utf8("bye"),
  });
  assert.equal(parseClosePayload(new Uint8Array()).code, 1005);
  assert.throws(() => parseClosePayload(new Uint8Array([3])), WsProtocolError);
  for (const code of [999, 1005, 1006, 1015, 5000]) {
    assert.throws(
      () => parseClosePayload(new Uint8Array([code >> 8, code & 0xff])),
      WsProtocolError,
    );
  }
});

Deno.test("encodeClosePayload keeps a long reason within a control frame's 125 bytes", () => {
  assert.equal(encodeClosePayload(1000, new Uint8Array(500)).length, 125);
  assert.equal(encodeClosePayload(1005).length, 0);
});

Deno.test("close codes: failures are 1002-2999 but 1005; names for the RFC's", () => {
  assert.equal(isFailureCode(1000), false);
  assert.equal(isFailureCode(1001), false);
  assert.equal(isFailureCode(1005), false);
  assert.equal(isFailureCode(4000), false);
  assert.equal(isFailureCode(1011), true);
  assert.equal(isFailureCode(1002), true);
  assert.equal(describeCloseCode(1011), "1011 (internal error)");
  assert.equal(describeCloseCode(4321), "4321");
});
