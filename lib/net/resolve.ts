/**
 * Name resolution for connects and listeners: IP literals pass through,
 * names go to the system resolver (so /etc/hosts counts), filtered by `-4`/`-6`.
 *
 * @module
 */

import { ipVersion, stripBrackets } from "./address.ts";
import { networkError } from "../errors.ts";

/** One address a name resolved to. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/**
 * Resolves `host` to the addresses to try, in the resolver's order.
 * Rejects with a network error (exit 1) naming the host when nothing fits.
 *
 * @example
 * ```ts
 * await resolveHost("localhost", { family: 4 }); // [{ address: "127.0.0.1", family: 4 }]
 * ```
 */
export async function resolveHost(
  host: string,
  opts: { family?: 4 | 6 } = {},
): Promise<ResolvedAddress[]> {
  const bare = stripBrackets(host);
  const v = ipVersion(bare);
  if (v !== 0) return [{ address: bare, family: v }];
  try {
    // Loaded only for a name: node:dns costs ~8 ms of start-up.
    const { lookup } = await import("node:dns/promises");
    const found = await lookup(bare, { all: true, family: opts.family ?? 0 });
    const list = found.map((a) => ({ address: a.address, family: a.family as 4 | 6 }));
    if (list.length > 0) return list;
  } catch (err) {
    throw networkError(`resolve ${bare}`, err);
  }
  throw networkError(`resolve ${bare}`, { code: "ENOTFOUND" });
}
