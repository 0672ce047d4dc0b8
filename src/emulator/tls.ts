import { generateKeyPair, randomBytes, type KeyObject } from "node:crypto";
import { link, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { md as ForgeMd, pki } from "node-forge";

/** What the HTTPS server needs, plus the CA certificate clients must trust. */
export interface TlsMaterial {
  caCertPem: string;
  certPem: string;
  keyPem: string;
}

/** The certificates, and how to publish the CA file once the server listens. */
export interface PreparedTls {
  material: TlsMaterial;
  /** Writes (or, with a CA folder, names) the CA file; `remove` deletes only a per-start file. */
  publish(): Promise<{ path: string; remove: () => Promise<void> }>;
}

interface Forge {
  pki: typeof pki;
  md: typeof ForgeMd;
}

/**
 * node-forge is an optional dependency: only the emulator's HTTPS needs it, so the library installs and
 * runs without it. `load` is injectable so the missing-module message can be tested.
 */
export function loadForge(load: () => unknown = () => require("node-forge")): Forge {
  try {
    return load() as Forge;
  } catch (error) {
    if ((error as { code?: unknown }).code === "MODULE_NOT_FOUND") {
      throw new Error(
        "The emulator's HTTPS needs the optional dependency node-forge to make its certificates: run " +
          "`npm install node-forge`, or start the emulator with --http (option http: true)",
        { cause: error },
      );
    }
    throw error;
  }
}

const generateRsaKeyPair = promisify(generateKeyPair);
const day = 86_400_000;
/** A kept CA (`caDir`) lasts ten years; a per-start one a year. Leaves never outlive their CA. */
const keptCaDays = 3650;
const leafDays = 365;

async function rsaKeyPair(
  forge: Forge,
): Promise<{ publicKey: pki.PublicKey; privateKey: pki.PrivateKey; keyPem: string }> {
  const { publicKey, privateKey } = (await generateRsaKeyPair("rsa", { modulusLength: 2048 })) as {
    publicKey: KeyObject;
    privateKey: KeyObject;
  };
  const keyPem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  return {
    publicKey: forge.pki.publicKeyFromPem(publicKey.export({ type: "spki", format: "pem" }).toString()),
    privateKey: forge.pki.privateKeyFromPem(keyPem),
    keyPem,
  };
}

/** A random, positive, minimally encoded serial number (first byte 0x01..0x7f). */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x01;
  return bytes.toString("hex");
}

function certificate(
  forge: Forge,
  publicKey: pki.PublicKey,
  subject: pki.CertificateField[],
  notAfter: Date,
): pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = serialNumber();
  // Real time, not the emulator's injectable clock: clients check validity against their own clock.
  cert.validity.notBefore = new Date(Date.now() - day);
  cert.validity.notAfter = notAfter;
  cert.setSubject(subject);
  return cert;
}

interface CertificateAuthority {
  cert: pki.Certificate;
  privateKey: pki.PrivateKey;
  certPem: string;
  keyPem: string;
}

async function newCa(forge: Forge, validDays: number): Promise<CertificateAuthority> {
  const keys = await rsaKeyPair(forge);
  const subject = [
    { name: "commonName", value: `auth0-permissions-emulator CA ${new Date().toISOString()}` },
    { name: "organizationName", value: "auth0-permissions-emulator (local testing only)" },
  ];
  const cert = certificate(forge, keys.publicKey, subject, new Date(Date.now() + validDays * day));
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: "basicConstraints", cA: true, pathLenConstraint: 0, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { cert, privateKey: keys.privateKey, certPem: forge.pki.certificateToPem(cert), keyPem: keys.keyPem };
}

async function leafFor(forge: Forge, ca: CertificateAuthority): Promise<TlsMaterial> {
  const leafKeys = await rsaKeyPair(forge);
  const notAfter = new Date(Math.min(Date.now() + leafDays * day, ca.cert.validity.notAfter.getTime()));
  const leaf = certificate(forge, leafKeys.publicKey, [{ name: "commonName", value: "localhost" }], notAfter);
  leaf.setIssuer(ca.cert.subject.attributes);
  leaf.setExtensions([
    { name: "basicConstraints", cA: false, critical: true },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
    { name: "extKeyUsage", serverAuth: true },
    {
      name: "subjectAltName",
      altNames: [
        { type: 2, value: "localhost" },
        { type: 7, ip: "127.0.0.1" },
        { type: 7, ip: "::1" },
      ],
    },
    { name: "subjectKeyIdentifier" },
    { name: "authorityKeyIdentifier", keyIdentifier: ca.cert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  leaf.sign(ca.privateKey, forge.md.sha256.create());
  return { caCertPem: ca.certPem, certPem: forge.pki.certificateToPem(leaf), keyPem: leafKeys.keyPem };
}

/** Writes the CA certificate (never a key) to a fresh temporary folder; returns its path and a cleanup. */
export async function writeCaCertificate(caCertPem: string): Promise<{ path: string; remove: () => Promise<void> }> {
  const folder = await mkdtemp(join(tmpdir(), "auth0-permissions-emulator-"));
  const path = join(folder, "ca.pem");
  await writeFile(path, caCertPem, { mode: 0o644 });
  return { path, remove: () => rm(folder, { recursive: true, force: true }) };
}

/** File names inside a `caDir`. */
export const caFileNames = { cert: "ca.pem", key: "ca-key.pem" } as const;

/** Creates `target` from `content` only if it does not exist yet (write a temporary file, then link it). */
async function createOnce(target: string, content: string, mode: number): Promise<boolean> {
  const temporary = `${target}.${randomBytes(6).toString("hex")}.tmp`;
  await writeFile(temporary, content, { mode, flag: "wx" });
  try {
    await link(temporary, target);
    return true;
  } catch (error) {
    if ((error as { code?: unknown }).code === "EEXIST") return false;
    throw error;
  } finally {
    await rm(temporary, { force: true });
  }
}

/** Reads a file another start may still be writing; gives up after about 5 s. */
async function readWhenPresent(path: string): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await readFile(path, "utf8");
    } catch (error) {
      if ((error as { code?: unknown }).code !== "ENOENT" || attempt >= 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

function keptCaError(folder: string, problem: string, cause?: unknown): Error {
  return new Error(
    `The CA kept in ${folder} cannot be used: ${problem}. Delete ${caFileNames.cert} and ${caFileNames.key} ` +
      "there to make a new one (and trust the new ca.pem)",
    cause === undefined ? undefined : { cause },
  );
}

function loadKeptCa(forge: Forge, folder: string, certPem: string, keyPem: string): CertificateAuthority {
  let cert: pki.Certificate;
  let privateKey: pki.PrivateKey;
  try {
    cert = forge.pki.certificateFromPem(certPem);
    privateKey = forge.pki.privateKeyFromPem(keyPem);
  } catch (error) {
    throw keptCaError(folder, "the files are not a PEM certificate and its private key", error);
  }
  if (!cert.publicKey.n.equals(privateKey.n)) {
    throw keptCaError(folder, `${caFileNames.key} is not the key of ${caFileNames.cert}`);
  }
  if (cert.validity.notAfter.getTime() < Date.now() + 2 * day) {
    throw keptCaError(folder, `it expires on ${cert.validity.notAfter.toISOString()}`);
  }
  return { cert, privateKey, certPem, keyPem };
}

/** The CA of a `caDir`: loaded when kept there, otherwise made and kept (safe against a concurrent start). */
async function keptCa(forge: Forge, folder: string): Promise<CertificateAuthority> {
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const certPath = join(folder, caFileNames.cert);
  const keyPath = join(folder, caFileNames.key);
  let keyPem: string | undefined;
  try {
    keyPem = await readFile(keyPath, "utf8");
  } catch (error) {
    if ((error as { code?: unknown }).code !== "ENOENT") throw keptCaError(folder, "its key is unreadable", error);
  }
  if (keyPem === undefined) {
    const made = await newCa(forge, keptCaDays);
    if (await createOnce(keyPath, made.keyPem, 0o600)) {
      await createOnce(certPath, made.certPem, 0o644);
      return loadKeptCa(forge, folder, await readFile(certPath, "utf8"), made.keyPem);
    }
    keyPem = await readFile(keyPath, "utf8"); // another start won the race: use its CA
  }
  return loadKeptCa(forge, folder, await readWhenPresent(certPath), keyPem);
}

/**
 * A CA and a leaf certificate it signs for `localhost`, `127.0.0.1` and `::1`. Keys come from node:crypto;
 * node-forge assembles and signs the certificates, which Node cannot do. Without `caDir` the CA is made for
 * this start and its private key is never written anywhere, so it can sign nothing else once the emulator
 * stops. With `caDir` the CA (and its key, mode 0600) is kept there and reused, so a machine trusts it once.
 */
export async function prepareTls(caDir: string | undefined, forge: Forge = loadForge()): Promise<PreparedTls> {
  if (caDir === undefined) {
    const material = await leafFor(forge, await newCa(forge, leafDays));
    return { material, publish: () => writeCaCertificate(material.caCertPem) };
  }
  const material = await leafFor(forge, await keptCa(forge, caDir));
  const path = join(caDir, caFileNames.cert);
  return { material, publish: async () => ({ path, remove: async () => {} }) };
}
