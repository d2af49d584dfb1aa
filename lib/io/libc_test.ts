import { assertEquals } from "../_test_utils.ts";
import { ERRNO_SYMBOLS, openLibc, readErrno } from "./libc.ts";

Deno.test("openLibc loads glibc from a path deno.json grants (Linux)", () => {
  const libc = openLibc({ getpid: { parameters: [], result: "i32" } } as const);
  if (Deno.build.os !== "linux") return assertEquals(libc, undefined);
  try {
    assertEquals(libc?.symbols.getpid(), Deno.pid);
  } finally {
    libc?.close();
  }
});

Deno.test("readErrno reads errno after a failed call, with only the paths deno.json grants", () => {
  const libc = openLibc({ close: { parameters: ["i32"], result: "i32" }, ...ERRNO_SYMBOLS });
  if (Deno.build.os !== "linux") return assertEquals(libc, undefined);
  try {
    assertEquals(libc!.symbols.close(-1), -1);
    assertEquals(readErrno(libc!.symbols), 9); // EBADF
  } finally {
    libc?.close();
  }
});
