import { assertEquals } from "../_test_utils.ts";
import { clientName } from "./accept.ts";

Deno.test("clientName numbers Unix clients without a path and names the others by address", () => {
  assertEquals(clientName({ transport: "unix", path: "" }, 3), "(client 3)");
  assertEquals(clientName({ transport: "unix", path: "/tmp/c.sock" }, 4), "/tmp/c.sock");
  assertEquals(
    clientName({ transport: "tcp", hostname: "::ffff:127.0.0.1", port: 5 }, 1),
    "127.0.0.1:5",
  );
  assertEquals(clientName({ transport: "tcp", hostname: "::1", port: 5 }, 1), "[::1]:5");
});
