import { generateKeyPair, randomBytes, type KeyObject } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { md, pki } from "node-forge";

/** What the HTTPS server needs, plus the CA certificate clients must trust. */
export interface TlsMaterial {
  caCertPem: string;
  certPem: string;
  keyPem: string;
}

const generateRsaKeyPair = promisify(generateKeyPair);
const day = 86_400_000;

async function rsaKeyPair(): Promise<{ publicKey: pki.PublicKey; privateKey: pki.PrivateKey; keyPem: string }> {
  const { publicKey, privateKey } = (await generateRsaKeyPair("rsa", { modulusLength: 2048 })) as {
    publicKey: KeyObject;
    privateKey: KeyObject;
  };
  const keyPem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  return {
    publicKey: pki.publicKeyFromPem(publicKey.export({ type: "spki", format: "pem" }).toString()),
    privateKey: pki.privateKeyFromPem(keyPem),
    keyPem,
  };
}

/** A random, positive, minimally encoded serial number (first byte 0x01..0x7f). */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x01;
  return bytes.toString("hex");
}

function certificate(publicKey: pki.PublicKey, subject: pki.CertificateField[], validDays: number): pki.Certificate {
  const cert = pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = serialNumber();
  // Real time, not the emulator's injectable clock: clients check validity against their own clock.
  cert.validity.notBefore = new Date(Date.now() - day);
  cert.validity.notAfter = new Date(Date.now() + validDays * day);
  cert.setSubject(subject);
  return cert;
}

/**
 * A CA made for this run and a leaf certificate it signs for `localhost`, `127.0.0.1` and `::1`. Keys come
 * from node:crypto; node-forge assembles and signs the certificates, which Node cannot do. The CA's
 * private key is never written anywhere, so the CA can sign nothing else once the emulator stops.
 */
export async function generateTlsMaterial(): Promise<TlsMaterial> {
  const [caKeys, leafKeys] = await Promise.all([rsaKeyPair(), rsaKeyPair()]);
  const caSubject = [
    { name: "commonName", value: `auth0-permissions-emulator CA ${new Date().toISOString()}` },
    { name: "organizationName", value: "auth0-permissions-emulator (local testing only)" },
  ];
  const ca = certificate(caKeys.publicKey, caSubject, 365);
  ca.setIssuer(caSubject);
  ca.setExtensions([
    { name: "basicConstraints", cA: true, pathLenConstraint: 0, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  ca.sign(caKeys.privateKey, md.sha256.create());

  const leaf = certificate(leafKeys.publicKey, [{ name: "commonName", value: "localhost" }], 365);
  leaf.setIssuer(caSubject);
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
    { name: "authorityKeyIdentifier", keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes() },
  ]);
  leaf.sign(caKeys.privateKey, md.sha256.create());

  return { caCertPem: pki.certificateToPem(ca), certPem: pki.certificateToPem(leaf), keyPem: leafKeys.keyPem };
}

/** Writes the CA certificate (never a key) to a fresh temporary folder; returns its path and a cleanup. */
export async function writeCaCertificate(caCertPem: string): Promise<{ path: string; remove: () => Promise<void> }> {
  const folder = await mkdtemp(join(tmpdir(), "auth0-permissions-emulator-"));
  const path = join(folder, "ca.pem");
  await writeFile(path, caCertPem, { mode: 0o644 });
  return { path, remove: () => rm(folder, { recursive: true, force: true }) };
}
