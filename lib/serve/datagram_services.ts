/**
 * `--serve NAME` over UDP (`-ul --serve echo`): each datagram is answered
 * by the built-in responder, to its sender. Without `-k` only the first
 * sender is served, as `-ul` talks to its first peer; with `-k`, everyone.
 * Runs until SIGINT/SIGTERM.
 *
 * @module
 */

import { formatAddr } from "../net/address.ts";
import type { Logger } from "../io/log.ts";
import { datagramResponder, type ServeName } from "./responders.ts";
import { type DatagramSocket, sameAddr, UNIX_RECEIVE_SIZE } from "../net/udp_duplex.ts";
import { escapeText } from "../io/escape.ts";
import { causeInWords } from "../errors.ts";

/** Options for {@linkcode serveDatagrams}. */
export interface ServeDatagramsOptions {
  /** `-k`: answer every sender, not only the first. */
  keepOpen: boolean;
  /** `--allow`/`--deny`: whether a sender is answered (it tells `-v` itself). */
  admit?: (addr: Deno.Addr) => boolean;
  /** Where `-v` messages go. */
  log: Logger;
  /** Ends serving (SIGINT, SIGTERM). */
  signal: AbortSignal;
}

/**
 * Answers datagrams on `sock` with the `name` responder until `signal`
 * aborts; closes `sock` then.
 *
 * @example
 * ```ts
 * await serveDatagrams(sock, "echo", { keepOpen: true, log, signal });
 * ```
 */
export async function serveDatagrams(
  sock: DatagramSocket,
  name: ServeName,
  o: ServeDatagramsOptions,
): Promise<void> {
  const respond = datagramResponder(name);
  // A Unix datagram may be far larger than UDP's; a short buffer would cut it.
  const buf = new Uint8Array(sock.addr.transport === "unixpacket" ? UNIX_RECEIVE_SIZE : 65536);
  const told = new Set<string>();
  let first: Deno.Addr | undefined;
  const stop = () => {
    try {
      sock.close();
    } catch { /* already closed */ }
  };
  o.signal.addEventListener("abort", stop, { once: true });
  try {
    while (!o.signal.aborted) {
      let data: Uint8Array;
      let from: Deno.Addr;
      try {
        [data, from] = await sock.receive(buf);
      } catch (err) {
        if (o.signal.aborted) return;
        throw err;
      }
      const who = escapeText(formatAddr(from));
      if (o.admit && !o.admit(from)) continue; // the hook tells -v, once per sender
      if (!o.keepOpen) {
        first ??= from;
        if (!sameAddr(first, from)) continue;
      }
      if (!told.has(who)) o.log.info(`datagram from ${who}: serving ${name}`);
      told.add(who);
      const reply = respond(data);
      if (reply === null) continue;
      await sock.send(reply, from).catch((err) =>
        o.log.info(`${who}: cannot answer: ${causeInWords(err)}`)
      );
    }
  } finally {
    o.signal.removeEventListener("abort", stop);
    stop();
  }
}
