/**
 * Where a listener binds (TCP `-l` and UDP `-ul` alike): the first address
 * of HOST, or with no HOST all interfaces: `[::]`, which on Linux also takes
 * IPv4, or `0.0.0.0` where IPv6 is missing.
 *
 * @module
 */

import { formatHostPort } from "./address.ts";
import { networkError } from "../errors.ts";
import { resolveHost } from "./resolve.ts";

/**
 * Binds with `bind(hostname)` where a listener for `host:port` belongs and
 * returns what it made; a failure is exit 1 naming the address
 * (`listen [::]:80: permission denied`). `-4`/`-6` (`family`) with no host:
 * all interfaces of that family only. `[::]` failing for want of IPv6 falls
 * back to `0.0.0.0`; failing because the port is taken or forbidden does
 * not (IPv4 would say the same, under a less true name).
 *
 * @example
 * ```ts
 * const listener = await bindListener(undefined, 0, undefined, (hostname) =>
 *   Deno.listen({ hostname, port: 0 }));
 * ```
 */
export async function bindListener<T>(
  host: string | undefined,
  port: number,
  family: 4 | 6 | undefined,
  bind: (hostname: string) => T,
): Promise<T> {
  const on = (hostname: string): T => {
    try {
      return bind(hostname);
    } catch (err) {
      throw networkError(`listen ${formatHostPort(hostname, port)}`, err);
    }
  };
  if (host !== undefined) return on((await resolveHost(host, { family }))[0].address);
  if (family === 4) return on("0.0.0.0");
  try {
    return on("::");
  } catch (err) {
    const cause = (err as Error).cause;
    const final = family === 6 || cause instanceof Deno.errors.AddrInUse ||
      cause instanceof Deno.errors.PermissionDenied;
    if (final) throw err;
    return on("0.0.0.0");
  }
}
