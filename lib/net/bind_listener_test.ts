import assert from "node:assert/strict";
import { bindListener } from "./bind_listener.ts";
import { SocktoolError } from "../errors.ts";

const refuse = (err: Error) => (hostname: string) => {
  if (hostname === "::") throw err;
  return hostname;
};

Deno.test("bindListener falls back to 0.0.0.0 when [::] fails for want of IPv6", async () => {
  const noIPv6 = new Error("Address family not supported by protocol (os error 97)");
  assert.equal(await bindListener(undefined, 9, undefined, refuse(noIPv6)), "0.0.0.0");
});

Deno.test("bindListener does not fall back when [::] is taken or forbidden: it names [::]", async () => {
  for (
    const [err, cause] of [
      [new Deno.errors.AddrInUse("x"), "address already in use"],
      [new Deno.errors.PermissionDenied("x"), "permission denied"],
    ] as const
  ) {
    const e = await bindListener(undefined, 80, undefined, refuse(err)).then(() => null, (x) => x);
    assert.ok(e instanceof SocktoolError);
    assert.equal(e.exitCode, 1);
    assert.equal(e.message, `listen [::]:80: ${cause}`);
  }
});

Deno.test("bindListener: -4 binds 0.0.0.0 only, -6 [::] only, a host its first address", async () => {
  const seen: string[] = [];
  const record = (h: string) => {
    seen.push(h);
    return h;
  };
  await bindListener(undefined, 9, 4, record);
  await bindListener(undefined, 9, 6, record);
  await bindListener("127.0.0.1", 9, undefined, record);
  assert.deepEqual(seen, ["0.0.0.0", "::", "127.0.0.1"]);
  const e = await bindListener(undefined, 9, 6, refuse(new Error("no IPv6"))).catch((x) => x);
  assert.match(e.message, /^listen \[::\]:9: no IPv6/);
});

Deno.test("bindListener with a real port in use on [::] says so (TCP and UDP)", async () => {
  const tcp = Deno.listen({ hostname: "::", port: 0 });
  const udp = Deno.listenDatagram({ transport: "udp", hostname: "::", port: 0 });
  try {
    const tp = tcp.addr.port;
    const up = (udp.addr as Deno.NetAddr).port;
    const t = await bindListener(
      undefined,
      tp,
      undefined,
      (hostname) => Deno.listen({ hostname, port: tp }),
    ).catch((x) => x);
    assert.equal(t.message, `listen [::]:${tp}: address already in use`);
    const u = await bindListener(
      undefined,
      up,
      undefined,
      (hostname) => Deno.listenDatagram({ transport: "udp", hostname, port: up }),
    ).catch((x) => x);
    assert.equal(u.message, `listen [::]:${up}: address already in use`);
  } finally {
    tcp.close();
    udp.close();
  }
});
