/**
 * Reads and checks the files named by `--ssl-cert`, `--ssl-key` and
 * `--ssl-trustfile` before any connection is tried. A missing file, a file
 * with no PEM data or a key that does not match its certificate is a
 * {@linkcode TlsFileError} naming the path, which `modes/prepare.ts` turns
 * into a usage error (exit 2).
 *
 * @module
 */

import { createPrivateKey, X509Certificate } from "node:crypto";
import { causeInWords } from "../errors.ts";
import { readTextAtPath } from "../io/fd_path.ts";

/** A TLS file that cannot be used; the message names the option, the path and why. */
export class TlsFileError extends Error {
  /**
   * @param message what is wrong, naming the option and the file
   * @param options `cause`: the underlying error
   */
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = "TlsFileError";
  }
}

/** The file options, as `--ssl-cert`, `--ssl-key`, `--ssl-trustfile` give them. */
export interface TlsFileOptions {
  /** PEM certificate (chain, leaf first); may also hold the key. */
  cert?: string;
  /** PEM private key for `cert`. */
  key?: string;
  /** PEM CA certificates to trust besides the system's. */
  trustFile?: string;
}

/** The checked contents of the TLS files, as PEM text. */
export interface TlsMaterial {
  /** Certificate chain, leaf first. */
  cert?: string;
  /** Unencrypted private key matching the leaf of `cert`. */
  key?: string;
  /** Extra trusted CA certificates, one PEM block each. */
  caCerts: string[];
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

/**
 * Loads and validates the TLS files. With `cert` and no `key`, the key is
 * looked for in the certificate file.
 *
 * @throws {TlsFileError} naming the option and the file
 * @example
 * ```ts
 * const material = await loadTlsFiles({ cert: "server.pem", key: "server.key" });
 * ```
 */
export async function loadTlsFiles(opts: TlsFileOptions): Promise<TlsMaterial> {
  const material: TlsMaterial = { caCerts: [] };
  if (opts.trustFile !== undefined) {
    const blocks = pemBlocks(await readPem("--ssl-trustfile", opts.trustFile), "CERTIFICATE");
    if (blocks.length === 0) throw noPem("--ssl-trustfile", opts.trustFile, "certificate");
    for (const block of blocks) parseCert("--ssl-trustfile", opts.trustFile, block);
    material.caCerts = blocks;
  }
  if (opts.cert === undefined) {
    if (opts.key !== undefined) throw new TlsFileError("option --ssl-key needs --ssl-cert");
    return material;
  }
  const certText = await readPem("--ssl-cert", opts.cert);
  const certs = pemBlocks(certText, "CERTIFICATE");
  if (certs.length === 0) throw noPem("--ssl-cert", opts.cert, "certificate");
  const leaf = parseCert("--ssl-cert", opts.cert, certs[0]);
  for (const block of certs.slice(1)) parseCert("--ssl-cert", opts.cert, block);

  const keyFlag = opts.key === undefined ? "--ssl-cert" : "--ssl-key";
  const keyPath = opts.key ?? opts.cert;
  const keyText = opts.key === undefined ? certText : await readPem("--ssl-key", opts.key);
  const keys = pemBlocks(keyText, "PRIVATE KEY");
  if (keys.length === 0) {
    if (opts.key === undefined) {
      throw new TlsFileError(`option --ssl-cert needs --ssl-key: no private key in '${opts.cert}'`);
    }
    throw noPem("--ssl-key", keyPath, "private key");
  }
  // PKCS#8 says so in its label, PKCS#1/SEC1 in a Proc-Type header.
  if (keys[0].includes("ENCRYPTED")) {
    throw new TlsFileError(
      `${keyFlag} file '${keyPath}': encrypted private keys are not supported`,
    );
  }
  let matches: boolean;
  try {
    matches = leaf.checkPrivateKey(createPrivateKey(keys[0]));
  } catch (err) {
    throw new TlsFileError(`${keyFlag} file '${keyPath}': bad private key: ${causeInWords(err)}`, {
      cause: err,
    });
  }
  if (!matches) {
    throw new TlsFileError(
      `${keyFlag} file '${keyPath}': private key does not match the certificate in '${opts.cert}'`,
    );
  }
  material.cert = certs.join("\n");
  material.key = keys[0];
  return material;
}

async function readPem(flag: string, path: string): Promise<string> {
  try {
    return await readTextAtPath(path);
  } catch (err) {
    throw new TlsFileError(`cannot read ${flag} file '${path}': ${causeInWords(err)}`, {
      cause: err,
    });
  }
}

/** PEM blocks of one kind; any `... PRIVATE KEY` label counts as a private key. */
function pemBlocks(text: string, kind: "CERTIFICATE" | "PRIVATE KEY"): string[] {
  return [...text.matchAll(PEM_BLOCK)]
    .filter(([, label]) => kind === "PRIVATE KEY" ? label.endsWith(kind) : label === kind)
    .map(([block]) => block);
}

function parseCert(flag: string, path: string, block: string): X509Certificate {
  try {
    return new X509Certificate(block);
  } catch (err) {
    throw new TlsFileError(`${flag} file '${path}': bad certificate: ${causeInWords(err)}`, {
      cause: err,
    });
  }
}

function noPem(flag: string, path: string, what: string) {
  return new TlsFileError(`${flag} file '${path}' holds no PEM ${what}`);
}
