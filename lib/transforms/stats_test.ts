import assert from "node:assert/strict";
import { formatBytes, formatRate, formatSummary, SessionStats } from "./stats.ts";
import { feed, RecordSink } from "../io/_test_utils.ts";

Deno.test("formatSummary gives bytes each way, seconds and the average rate", () => {
  assert.equal(
    formatSummary({ sent: 1048576, received: 0, seconds: 0.52 }),
    "sent 1048576 bytes (1.00 MiB), received 0 bytes in 0.52 s (1.92 MiB/s)",
  );
  assert.equal(
    formatSummary({ sent: 10, received: 20, seconds: 3 }),
    "sent 10 bytes, received 20 bytes in 3.00 s (10 B/s)",
  );
});

Deno.test("formatSummary puts human sizes beside exact counts from 1 KiB on", () => {
  assert.equal(
    formatSummary({ sent: 4 * 2 ** 30, received: 1023, seconds: 2 }),
    "sent 4294967296 bytes (4.00 GiB), received 1023 bytes in 2.00 s (2.00 GiB/s)",
  );
  assert.equal(
    formatSummary({ sent: 1024, received: 1536 * 2 ** 20, seconds: 1 }),
    "sent 1024 bytes (1.00 KiB), received 1610612736 bytes (1.50 GiB) in 1.00 s (1.50 GiB/s)",
  );
});

Deno.test("formatSummary of an instant session still gives a finite rate", () => {
  assert.equal(
    formatSummary({ sent: 0, received: 0, seconds: 0 }),
    "sent 0 bytes, received 0 bytes in 0.00 s (0 B/s)",
  );
});

Deno.test("formatBytes and formatRate use binary units", () => {
  assert.equal(formatBytes(0), "0 B");
  assert.equal(formatBytes(1023), "1023 B");
  assert.equal(formatBytes(1024), "1.00 KiB");
  assert.equal(formatBytes(5 * 2 ** 30), "5.00 GiB");
  assert.equal(formatRate(1536), "1.50 KiB/s");
});

Deno.test("SessionStats counts chunks each way through its stages, unchanged and uncopied", async () => {
  let t = 1000;
  const stats = new SessionStats(() => t);
  const out = new RecordSink();
  const inn = new RecordSink();
  await feed(stats.countStage("sent")(out), ["abc", "", "de"]);
  await feed(stats.countStage("received")(inn), ["x"]);
  stats.add("received", 9);
  assert.deepEqual(out.bytes(), new TextEncoder().encode("abcde"));
  assert.equal(out.closed, true);
  t = 3500;
  stats.finish();
  t = 9000;
  assert.deepEqual(stats.snapshot(), { sent: 5, received: 10, seconds: 2.5 });
});
