import { generateKeyPairSync } from "node:crypto";
import { decodeJwt, decodeProtectedHeader, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { assertionClaims, clientAssertionSigner } from "../../../src/client/client-assertion";

const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const privateKeyPem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const NOW = Date.UTC(2026, 11, 1, 9, 30, 0, 750);

describe("client assertion (Private Key JWT)", () => {
  it("claims: iss = sub = client id, aud = https://{domain}/ as one string, iat in seconds, exp 60 s later", () => {
    expect(assertionClaims({ clientId: "cid", domain: "t.eu.auth0.com" }, NOW, "j-1")).toEqual({
      iss: "cid",
      sub: "cid",
      aud: "https://t.eu.auth0.com/",
      jti: "j-1",
      iat: Math.floor(NOW / 1000),
      exp: Math.floor(NOW / 1000) + 60,
    });
  });

  it("signs with the configured algorithm, verifiable with the public key, a new jti each time", async () => {
    let n = 0;
    const sign = clientAssertionSigner(
      { clientId: "cid", privateKeyPem, signingAlg: "PS256", domain: "t.eu.auth0.com" },
      () => NOW,
      () => `jti-${++n}`,
    );
    const [first, second] = [await sign(), await sign()];
    expect(decodeProtectedHeader(first)).toEqual({ alg: "PS256", typ: "JWT" });
    const { payload } = await jwtVerify(first, publicKey, {
      audience: "https://t.eu.auth0.com/",
      issuer: "cid",
      subject: "cid",
      currentDate: new Date(NOW),
    });
    expect(payload).toMatchObject({ jti: "jti-1", iat: Math.floor(NOW / 1000), exp: Math.floor(NOW / 1000) + 60 });
    expect(typeof payload.aud).toBe("string");
    expect(decodeJwt(second).jti).toBe("jti-2");
  });
});
