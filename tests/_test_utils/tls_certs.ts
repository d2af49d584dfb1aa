/**
 * Test certificates made with `openssl` in a fresh temporary directory:
 * never committed. One CA, and leaf certificates signed by it (good, expired,
 * for a client), plus a self-signed one and a key that matches nothing.
 *
 * @module
 */

/** Paths of the files {@linkcode makeTestCerts} writes. */
export interface TestCerts {
  dir: string;
  /** The CA certificate, to use as a trust file. */
  caCert: string;
  /** Server certificate for `localhost` and `127.0.0.1`, signed by the CA. */
  serverCert: string;
  serverKey: string;
  /** Same name and key, signed by the CA, expired on 2020-01-02. */
  expiredCert: string;
  /** Self-signed certificate for `localhost`, with its own key. */
  selfCert: string;
  selfKey: string;
  /** Client certificate `CN=socktool-client`, signed by the CA. */
  clientCert: string;
  clientKey: string;
  /** A key that matches no certificate here. */
  strayKey: string;
  /** Removes the directory. */
  remove(): Promise<void>;
}

/**
 * Runs `openssl ARGS` in `cwd`; throws with its stderr if it fails.
 *
 * @example
 * ```ts ignore
 * await openssl(dir, "ecparam", "-name", "prime256v1", "-genkey", "-out", "k.pem");
 * ```
 */
export async function openssl(cwd: string, ...args: string[]): Promise<void> {
  const out = await new Deno.Command("openssl", { args, cwd, stdout: "piped", stderr: "piped" })
    .output();
  if (!out.success) {
    throw new Error(`openssl ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
}

/** `openssl req` arguments for a new P-256 key without a passphrase. */
export const EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];

/**
 * Writes the test certificates into a new temporary directory.
 *
 * @example
 * ```ts
 * const certs = await makeTestCerts();
 * try { ... } finally { await certs.remove(); }
 * ```
 */
export async function makeTestCerts(): Promise<TestCerts> {
  const dir = await Deno.makeTempDir({ prefix: "socktool-tls-" });
  const f = (name: string) => `${dir}/${name}`;
  await Deno.writeTextFile(
    f("server.ext"),
    "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
  );
  await Deno.writeTextFile(
    f("client.ext"),
    "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n",
  );
  await Deno.writeTextFile(f("index.txt"), "");
  await Deno.writeTextFile(f("serial"), "1000\n");
  await Deno.writeTextFile(
    f("ca.cnf"),
    "[ca]\ndefault_ca=d\n[d]\ndatabase=index.txt\nnew_certs_dir=.\nserial=serial\n" +
      "default_md=sha256\npolicy=p\nunique_subject=no\n[p]\ncommonName=supplied\n",
  );
  await openssl(
    dir,
    "req",
    "-x509",
    ...EC,
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
    "-days",
    "2",
    "-subj",
    "/CN=socktool test CA",
  );
  await openssl(
    dir,
    "req",
    ...EC,
    "-keyout",
    "server.key",
    "-out",
    "server.csr",
    "-subj",
    "/CN=localhost",
  );
  await openssl(
    dir,
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-set_serial",
    "2",
    "-days",
    "2",
    "-extfile",
    "server.ext",
    "-out",
    "server.pem",
  );
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
    "server.csr",
    "-startdate",
    "20200101000000Z",
    "-enddate",
    "20200102000000Z",
    "-extfile",
    "server.ext",
    "-out",
    "expired.pem",
  );
  await openssl(
    dir,
    "req",
    "-x509",
    ...EC,
    "-keyout",
    "self.key",
    "-out",
    "self.pem",
    "-days",
    "2",
    "-subj",
    "/CN=localhost",
    "-addext",
    "subjectAltName=DNS:localhost,IP:127.0.0.1",
  );
  await openssl(
    dir,
    "req",
    ...EC,
    "-keyout",
    "client.key",
    "-out",
    "client.csr",
    "-subj",
    "/CN=socktool-client",
  );
  await openssl(
    dir,
    "x509",
    "-req",
    "-in",
    "client.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-set_serial",
    "3",
    "-days",
    "2",
    "-extfile",
    "client.ext",
    "-out",
    "client.pem",
  );
  await openssl(
    dir,
    "genpkey",
    "-algorithm",
    "EC",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-out",
    "stray.key",
  );
  return {
    dir,
    caCert: f("ca.pem"),
    serverCert: f("server.pem"),
    serverKey: f("server.key"),
    expiredCert: f("expired.pem"),
    selfCert: f("self.pem"),
    selfKey: f("self.key"),
    clientCert: f("client.pem"),
    clientKey: f("client.key"),
    strayKey: f("stray.key"),
    remove: () => Deno.remove(dir, { recursive: true }),
  };
}

/**
 * The SHA-256 fingerprint of a certificate file as `openssl` prints it.
 *
 * @example
 * ```ts
 * await opensslFingerprint(certs.serverCert); // "22:02:...:B0"
 * ```
 */
export async function opensslFingerprint(path: string): Promise<string> {
  const out = await new Deno.Command("openssl", {
    args: ["x509", "-in", path, "-noout", "-fingerprint", "-sha256"],
    stdout: "piped",
  }).output();
  return new TextDecoder().decode(out.stdout).trim().replace(/^.*=/, "");
}
