import assert from "node:assert/strict";
import { HandshakeWatch } from "./handshake_watch.ts";

const record = (
  type: number,
  body: number[],
) => [type, 3, 3, body.length >> 8, body.length & 255, ...body];
const message = (type: number, body: number[]) => [
  type,
  body.length >> 16,
  (body.length >> 8) & 255,
  body.length & 255,
  ...body,
];
/** A body full of the byte that means CertificateRequest, to catch a reader that looks inside. */
const thirteens = (n: number) => new Array(n).fill(13);

function watchOf(bytes: number[], chunk: number): HandshakeWatch {
  const watch = new HandshakeWatch();
  for (let i = 0; i < bytes.length; i += chunk) {
    watch.feed(new Uint8Array(bytes.slice(i, i + chunk)));
  }
  return watch;
}

Deno.test("HandshakeWatch sees a TLS 1.2 CertificateRequest however the bytes are cut", () => {
  const certificate = message(11, thirteens(3000));
  const flight = [
    ...record(22, message(2, thirteens(70))),
    // The Certificate message spans two records.
    ...record(22, certificate.slice(0, 1000)),
    ...record(22, [...certificate.slice(1000), ...message(12, thirteens(100))]),
    ...record(22, [...message(13, [1, 64, 0, 0]), ...message(14, [])]),
  ];
  for (const chunk of [1, 3, 5, 7, 4096, flight.length]) {
    assert.equal(watchOf(flight, chunk).certificateRequested, true, `chunks of ${chunk}`);
  }
});

Deno.test("HandshakeWatch sees no request in a flight without one, nor in encrypted records", () => {
  const tls12 = [
    ...record(22, message(2, thirteens(70))),
    ...record(22, message(11, thirteens(500))),
    ...record(22, message(14, [])),
  ];
  assert.equal(watchOf(tls12, 1).certificateRequested, false);
  // TLS 1.3: after ServerHello, everything is encrypted (and looks like anything).
  const tls13 = [
    ...record(22, message(2, thirteens(90))),
    ...record(20, [1]),
    ...record(23, message(13, [])),
    ...record(22, message(13, [])),
  ];
  assert.equal(watchOf(tls13, 2).certificateRequested, false);
});
