import { assertEquals } from "../_test_utils.ts";
import { openLibc } from "./libc.ts";

Deno.test("openLibc loads glibc from a path deno.json grants (Linux)", () => {
  const libc = openLibc({ getpid: { parameters: [], result: "i32" } } as const);
  if (Deno.build.os !== "linux") return assertEquals(libc, undefined);
  try {
    assertEquals(libc?.symbols.getpid(), Deno.pid);
  } finally {
    libc?.close();
  }
});
