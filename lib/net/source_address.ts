/**
 * The local side of an outgoing TCP connection or UDP client (`-s ADDR`):
 * which address family it forces on the target, and which address is bound.
 *
 * @module
 */

import { ipVersion } from "./address.ts";
import { resolveHost } from "./resolve.ts";

/**
 * The address family `-s sourceAddr` forces on the target (0: none, when it
 * is a name or not given). Two IP literals of different families cannot
 * meet: a usage error (exit 2).
 *
 * @example
 * ```ts
 * sourceFamily("::1", "example.org"); // 6: resolve the target to IPv6 only
 * sourceFamily("::1", "127.0.0.1"); // throws: option -s gives an IPv6 address, ...
 * ```
 */
export function sourceFamily(sourceAddr: string | undefined, host: string): 0 | 4 | 6 {
  const source = sourceAddr === undefined ? 0 : ipVersion(sourceAddr);
  const target = ipVersion(host);
  if (source !== 0 && target !== 0 && source !== target) {
    throw new RangeError(
      `option -s gives an IPv${source} address, but ${host} is an IPv${target} address`,
    );
  }
  return source;
}

/**
 * The local address to bind for a target of `family`: `-s`'s address of
 * that family, or the family's any-address.
 *
 * @example
 * ```ts
 * await localAddress(undefined, 6); // "::"
 * await localAddress("localhost", 4); // "127.0.0.1"
 * ```
 */
export async function localAddress(sourceAddr: string | undefined, family: 4 | 6): Promise<string> {
  if (sourceAddr === undefined) return family === 6 ? "::" : "0.0.0.0";
  return (await resolveHost(sourceAddr, { family }))[0].address;
}
