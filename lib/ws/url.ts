/**
 * `ws://HOST[:PORT][/PATH][?QUERY]` and `wss://...`: the WebSocket URLs of
 * RFC 6455 §3, read by hand rather than by `URL`, which would quietly
 * rewrite what the user typed (`ws://1.2.3/` becomes `1.2.0.3`).
 *
 * @module
 */

import { isMalformedIPv4, stripBrackets } from "../net/address.ts";
import { ipLiteralVersion } from "../net/ip_literal.ts";

/** A parsed WebSocket URL. */
export interface WsUrl {
  /** `wss://`: TLS below the WebSocket. */
  secure: boolean;
  /** The host, without brackets for IPv6. */
  host: string;
  /** The port (80 for `ws://`, 443 for `wss://` when none is given). */
  port: number;
  /** The request target: path and query, `/` at least, percent-encoded. */
  path: string;
  /** The `Host` header: the host, with the port unless it is the default. */
  hostHeader: string;
  /** The URL as messages print it: `ws://127.0.0.1:8080/chat`. */
  text: string;
}

/** Why a URL cannot be used, in words. */
export class WsUrlError extends Error {
  /** @param message what is wrong, said to the user */
  constructor(message: string) {
    super(message);
    this.name = "WsUrlError";
  }
}

/**
 * Whether `text` is meant as a URL (`scheme://...`) rather than a host.
 *
 * @example
 * ```ts
 * looksLikeUrl("ws://h/"); // true
 * looksLikeUrl("::1");     // false
 * ```
 */
export function looksLikeUrl(text: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(text);
}

/**
 * Parses a WebSocket URL.
 *
 * @throws {WsUrlError} another scheme, no host, a bad port, user
 *   credentials, or a `#fragment` (RFC 6455 §3 forbids one)
 * @example
 * ```ts
 * parseWsUrl("wss://example.test/chat?room=1");
 * // { secure: true, host: "example.test", port: 443, path: "/chat?room=1", ... }
 * ```
 */
export function parseWsUrl(text: string): WsUrl {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1]?.toLowerCase();
  if (scheme !== "ws" && scheme !== "wss") {
    throw new WsUrlError(
      scheme === undefined
        ? "expected ws://HOST[:PORT]/PATH"
        : `the scheme must be ws or wss, not '${scheme}'`,
    );
  }
  const secure = scheme === "wss";
  const rest = text.slice(scheme.length + 3);
  const authorityEnd = rest.search(/[/?#]/);
  const authority = authorityEnd < 0 ? rest : rest.slice(0, authorityEnd);
  const tail = authorityEnd < 0 ? "" : rest.slice(authorityEnd);
  if (authority.includes("@")) {
    throw new WsUrlError(
      "user credentials in the URL are not sent: use --header 'Authorization: ...'",
    );
  }
  if (tail.includes("#")) throw new WsUrlError("a WebSocket URL has no #fragment");
  const m = /^(\[[^\]]*\]|[^:\[\]]*)(?::(\d*))?$/.exec(authority);
  if (!m) throw new WsUrlError(`bad host and port '${authority}'`);
  const [, hostPart, portText] = m;
  const host = stripBrackets(hostPart);
  if (host === "") throw new WsUrlError("no host");
  if (hostPart.startsWith("[") && ipLiteralVersion(host) !== 6) {
    throw new WsUrlError(`'${host}' in brackets is not an IPv6 address`);
  }
  if (isMalformedIPv4(host)) throw new WsUrlError(`'${host}' is not an IPv4 address`);
  // deno-lint-ignore no-control-regex
  if (!hostPart.startsWith("[") && /[\s\x00-\x1f\x7f%]/.test(host)) {
    throw new WsUrlError(`bad host '${host}'`);
  }
  const defaultPort = secure ? 443 : 80;
  let port = defaultPort;
  if (portText !== undefined) {
    port = Number(portText);
    if (portText === "" || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw new WsUrlError(`bad port '${portText}': must be a number from 1 to 65535`);
    }
  }
  const path = encodeTarget(tail.startsWith("?") ? `/${tail}` : tail || "/");
  const shownHost = host.includes(":") ? `[${host}]` : host;
  const hostHeader = port === defaultPort ? shownHost : `${shownHost}:${port}`;
  return { secure, host, port, path, hostHeader, text: `${scheme}://${shownHost}:${port}${path}` };
}

/**
 * Percent-encodes what may not stand in an HTTP request target (spaces,
 * controls, non-ASCII as UTF-8 bytes); `%` escapes already there are kept.
 */
function encodeTarget(target: string): string {
  let out = "";
  for (const byte of new TextEncoder().encode(target)) {
    out += byte > 0x20 && byte < 0x7f && byte !== 0x22 && byte !== 0x3c && byte !== 0x3e &&
        byte !== 0x60 && byte !== 0x7b && byte !== 0x7d && byte !== 0x7c && byte !== 0x5c &&
        byte !== 0x5e
      ? String.fromCharCode(byte)
      : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}
