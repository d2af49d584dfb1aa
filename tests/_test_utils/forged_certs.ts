/**
 * Certificates a hostile server would present, made with the `openssl` CLI
 * in a fresh temporary directory (never committed), beside a proper chain
 * (root → intermediate → leaf) to compare with. Every leaf is for
 * `localhost` and `127.0.0.1` and uses one key, `leafKey`.
 *
 * @module
 */

import { EC, openssl } from "./tls_certs.ts";

/** Paths of the files {@linkcode makeForgedCerts} writes. */
export interface ForgedCerts {
  dir: string;
  /** The trusted root, `CN=socktool test CA`. */
  caCert: string;
  /** The key of every leaf below. */
  leafKey: string;
  /** A proper intermediate `CN=socktool test int`, signed by the root. */
  intCert: string;
  /** A proper leaf, signed by `intCert`. */
  leafCert: string;
  /** X.509 v1 leaf naming the root as issuer, signed by another key. */
  forgedV1: string;
  /** The same as a v3 certificate (SAN, basicConstraints, key identifiers). */
  forgedV3: string;
  /** A self-signed CA with the root's name and another key: `forgedV3`'s real issuer. */
  sameNameCa: string;
  /** `intCert`'s name and key, signed by the root, expired on 2020-01-02. */
  intExpired: string;
  /** `intCert` with keyUsage digitalSignature only (no keyCertSign). */
  intNoCertSign: string;
  /** `intCert` with basicConstraints CA:FALSE. */
  intNotCa: string;
  /** A self-signed CA whose name holds terminal escapes, untrusted. */
  escapeCa: string;
  /** A leaf from `escapeCa` whose CN and SAN hold terminal escapes too. */
  escapeLeaf: string;
  /** A client certificate (`CN=stranger`, key `leafKey`) from a CA no one trusts. */
  strangerClient: string;
  /** The hostile text inside `escapeCa` and `escapeLeaf`. */
  escapeText: string;
  /** Removes the directory. */
  remove(): Promise<void>;
}

const HOSTILE = "evil\x1b]0;pwned\x07";

/**
 * Writes the certificates into a new temporary directory.
 *
 * @example
 * ```ts
 * const f = await makeForgedCerts();
 * try { ... } finally { await f.remove(); }
 * ```
 */
export async function makeForgedCerts(): Promise<ForgedCerts> {
  const dir = await Deno.makeTempDir({ prefix: "socktool-forged-" });
  const f = (name: string) => `${dir}/${name}`;
  const write = (name: string, text: string) => Deno.writeTextFile(f(name), text);
  await write(
    "leaf.ext",
    "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
  );
  await write(
    "ca.ext",
    "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n",
  );
  await write(
    "nosign.ext",
    "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,digitalSignature\n",
  );
  await write("notca.ext", "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,keyCertSign\n");
  await write("escape.ext", `subjectAltName=DNS:${HOSTILE}.test\nbasicConstraints=CA:FALSE\n`);
  await write("client.ext", "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n");
  await write("index.txt", "");
  await write("serial", "1000\n");
  await write(
    "ca.cnf",
    "[ca]\ndefault_ca=d\n[d]\ndatabase=index.txt\nnew_certs_dir=.\nserial=serial\n" +
      "default_md=sha256\npolicy=p\nunique_subject=no\n[p]\ncommonName=supplied\n",
  );
  const selfSigned = (key: string, out: string, cn: string) =>
    openssl(
      dir,
      "req",
      "-x509",
      ...EC,
      "-keyout",
      key,
      "-out",
      out,
      "-days",
      "2",
      "-subj",
      `/CN=${cn}`,
    );
  const request = (key: string, out: string, cn: string) =>
    openssl(dir, "req", ...EC, "-keyout", key, "-out", out, "-subj", `/CN=${cn}`);
  let serial = 10;
  const sign = (csr: string, ca: string, caKey: string, out: string, ext?: string) =>
    openssl(
      dir,
      "x509",
      "-req",
      "-in",
      csr,
      "-CA",
      ca,
      "-CAkey",
      caKey,
      "-set_serial",
      String(serial++),
      "-days",
      "2",
      ...(ext ? ["-extfile", ext] : []),
      "-out",
      out,
    );

  // A request for the common leaf key, so that one server setup fits all.
  const requestWithLeafKey = (csr: string, cn: string) =>
    openssl(dir, "req", "-new", "-key", "leaf.key", "-out", csr, "-subj", `/CN=${cn}`);
  await selfSigned("ca.key", "ca.pem", "socktool test CA");
  await selfSigned("same.key", "same.pem", "socktool test CA");
  await selfSigned("escape-ca.key", "escape-ca.pem", `${HOSTILE} CA`);
  await selfSigned("stranger-ca.key", "stranger-ca.pem", "stranger CA");
  await request("leaf.key", "leaf.csr", "localhost");
  await request("int.key", "int.csr", "socktool test int");
  await requestWithLeafKey("escape.csr", HOSTILE);

  await sign("int.csr", "ca.pem", "ca.key", "int.pem", "ca.ext");
  await sign("leaf.csr", "int.pem", "int.key", "leaf.pem", "leaf.ext");
  // No extension file: openssl makes a version 1 certificate.
  await sign("leaf.csr", "same.pem", "same.key", "forged-v1.pem");
  await sign("leaf.csr", "same.pem", "same.key", "forged-v3.pem", "leaf.ext");
  await sign("int.csr", "ca.pem", "ca.key", "int-nosign.pem", "nosign.ext");
  await sign("int.csr", "ca.pem", "ca.key", "int-notca.pem", "notca.ext");
  await openssl(
    dir,
    "ca",
    "-batch",
    "-config",
    "ca.cnf",
    "-cert",
    "ca.pem",
    "-keyfile",
    "ca.key",
    "-in",
    "int.csr",
    "-startdate",
    "20200101000000Z",
    "-enddate",
    "20200102000000Z",
    "-extfile",
    "ca.ext",
    "-out",
    "int-expired.pem",
  );
  await sign("escape.csr", "escape-ca.pem", "escape-ca.key", "escape-leaf.pem", "escape.ext");
  await requestWithLeafKey("stranger.csr", "stranger");
  await sign("stranger.csr", "stranger-ca.pem", "stranger-ca.key", "stranger.pem", "client.ext");
  return {
    dir,
    caCert: f("ca.pem"),
    leafKey: f("leaf.key"),
    intCert: f("int.pem"),
    leafCert: f("leaf.pem"),
    forgedV1: f("forged-v1.pem"),
    forgedV3: f("forged-v3.pem"),
    sameNameCa: f("same.pem"),
    intExpired: f("int-expired.pem"),
    intNoCertSign: f("int-nosign.pem"),
    intNotCa: f("int-notca.pem"),
    escapeCa: f("escape-ca.pem"),
    escapeLeaf: f("escape-leaf.pem"),
    strangerClient: f("stranger.pem"),
    escapeText: HOSTILE,
    remove: () => Deno.remove(dir, { recursive: true }),
  };
}
