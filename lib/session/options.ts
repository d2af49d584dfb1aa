/**
 * What a data session needs to know, whatever mode opened it: the shared
 * options of SPEC §2 and §5 that shape one session. The command line's record
 * (`cli/options.ts`) extends these; nothing here knows about parsing.
 *
 * @module
 */

import type { TransformOptions } from "../transforms/stages.ts";

/** How the session's bytes travel. */
export type Transport = "tcp" | "udp" | "unix" | "unixgram";

/** TLS settings (SPEC §5). */
export interface TlsOptions {
  /** Certificate file (PEM): the server's, or a client certificate. */
  cert?: string;
  /** Private key file (PEM) for `cert`. */
  key?: string;
  /** Extra trusted CA certificates (PEM). */
  trustFile?: string;
  /** Name sent as SNI and verified in the server certificate. */
  serverName?: string;
  /** ALPN protocols to offer, in order. */
  alpn: string[];
  /** Verification off (warned about on every use). */
  insecure: boolean;
  /**
   * `--ssl-verify`: on a client, verification (the default) said out loud,
   * which with `pins` checks the chain as well; on a listener, client
   * certificates are required and checked against `trustFile`.
   */
  verify?: boolean;
  /** `--ssl-pin`: SHA-256 hashes (lower-case hex) of the peer certificates accepted. */
  pins?: string[];
}

/**
 * Options every data session shares, whatever its mode; the data path's
 * transforms (`-C`, `-i`, `-o`, `-x`, `--timestamp`, `--progress`, `-L`)
 * are {@linkcode TransformOptions}.
 */
export interface SessionOptions extends TransformOptions {
  /** TCP, UDP, Unix stream or Unix datagram. */
  transport: Transport;
  /** `-v` count. */
  verbose: number;
  /** `-4` / `-6`. */
  family?: 4 | 6;
  /** `-n`: numeric addresses only. */
  numeric: boolean;
  /** `-w` in milliseconds: connect timeout and idle timeout. */
  waitMs?: number;
  /** `-q` in milliseconds: deadline after stdin EOF. */
  quitAfterEofMs?: number;
  /** `--no-shutdown`: keep the write half open after stdin EOF. */
  noShutdown: boolean;
  /** `--send-only`. */
  sendOnly: boolean;
  /** `--recv-only`. */
  recvOnly: boolean;
  /** `-e`: the program and its arguments, run without a shell. */
  exec?: string[];
  /** `-c`: a command line for `/bin/sh -c`. */
  shExec?: string;
  /** `--ssl` and its settings; absent without `--ssl`. */
  tls?: TlsOptions;
}
