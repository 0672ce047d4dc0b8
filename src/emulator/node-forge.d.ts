// The small part of node-forge (which ships no types) that tls.ts uses to assemble, sign and read certificates.
declare module "node-forge" {
  namespace util {
    interface ByteStringBuffer {
      getBytes(): string;
    }
  }
  namespace md {
    interface MessageDigest {
      readonly algorithm: string;
    }
    namespace sha256 {
      function create(): MessageDigest;
    }
  }
  namespace pki {
    interface BigInteger {
      equals(other: BigInteger): boolean;
    }
    interface PublicKey {
      readonly n: BigInteger;
    }
    interface PrivateKey {
      readonly n: BigInteger;
      readonly d: BigInteger;
    }
    interface CertificateField {
      name?: string;
      shortName?: string;
      value?: string;
    }
    interface Certificate {
      publicKey: PublicKey;
      serialNumber: string;
      validity: { notBefore: Date; notAfter: Date };
      readonly subject: { attributes: CertificateField[] };
      setSubject(attributes: CertificateField[]): void;
      setIssuer(attributes: CertificateField[]): void;
      setExtensions(extensions: Array<Record<string, unknown>>): void;
      generateSubjectKeyIdentifier(): util.ByteStringBuffer;
      sign(key: PrivateKey, digest: md.MessageDigest): void;
    }
    function createCertificate(): Certificate;
    function privateKeyFromPem(pem: string): PrivateKey;
    function publicKeyFromPem(pem: string): PublicKey;
    function certificateToPem(certificate: Certificate): string;
    function certificateFromPem(pem: string): Certificate;
  }
}
