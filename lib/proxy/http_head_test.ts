import assert from "node:assert/strict";
import { parseHttpHead } from "./http_head.ts";

Deno.test("parseHttpHead reads fields by name in any case, folded lines joined", () => {
  const head = parseHttpHead(
    "CONNECT h:1 HTTP/1.0\r\nProxy-Authorization:\t  Basic  \r\n\t  \n dXNlcjpwYXNz\r\n" +
      "proxy-AUTHORIZATION: Basic x\nNot a field\r\nX: \r\n\r\n",
  );
  assert.equal(head.startLine, "CONNECT h:1 HTTP/1.0");
  assert.deepEqual(head.get("Proxy-Authorization"), ["Basic dXNlcjpwYXNz", "Basic x"]);
  assert.deepEqual(head.get("x"), [""]);
  assert.deepEqual(head.get("missing"), []);
});
