import { generateKeyPairSync } from "node:crypto";
import { decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import { Redactor } from "../../../src/client/redact";
import { tokenIssuer } from "../../../src/client/token-request";
import type { HttpRequest, HttpResponse } from "../../../src/client/transport";
import { Auth0TokenError } from "../../../src/errors";

const secretCredentials = {
  kind: "clientCredentials" as const,
  clientId: "cid",
  clientSecret: "the-client-secret",
  audience: "https://t.auth0.com/api/v2/",
};

/** A token issuer over a fake `send` that answers `answers` in turn and records the requests. */
function issuerAnswering(answers: HttpResponse[], credentials: Parameters<typeof tokenIssuer>[0] = secretCredentials) {
  const sent: HttpRequest[] = [];
  const redactor = new Redactor();
  const issue = tokenIssuer(credentials, {
    send: async (request) => {
      sent.push(request);
      return { response: answers.shift()!, attempts: 1 };
    },
    redactor,
    domain: "t.auth0.com",
    now: () => Date.UTC(2026, 11, 1),
  });
  return { issue, sent, redactor };
}

const ok = (data: unknown): HttpResponse => ({ status: 200, headers: {}, data });

describe("the token request", () => {
  it("sends the client credentials grant and registers the secret and the token with the redactor", async () => {
    const { issue, sent, redactor } = issuerAnswering([
      ok({ access_token: "tok-1", expires_in: 600, token_type: "Bearer" }),
    ]);
    expect(await issue()).toEqual({ accessToken: "tok-1", expiresInSeconds: 600 });
    expect(sent[0]).toMatchObject({
      method: "POST",
      path: "/oauth/token",
      form: { grant_type: "client_credentials", client_id: "cid", client_secret: "the-client-secret" },
    });
    expect(redactor.redact("the-client-secret tok-1")).toBe("[REDACTED] [REDACTED]");
  });

  it("fails on a 200 it does not recognise instead of using it", async () => {
    for (const data of [
      { access_token: "tok with space", expires_in: 600 },
      { access_token: "tok", token_type: "mac" },
      { access_token: "tok", expires_in: "soon" },
      { expires_in: 600 },
      "<html>proxy login</html>",
    ]) {
      const { issue } = issuerAnswering([ok(data)]);
      await expect(issue()).rejects.toBeInstanceOf(Auth0TokenError);
    }
  });

  it("with a private key, sends a fresh client assertion for every attempt and no secret", async () => {
    const pem = generateKeyPairSync("rsa", { modulusLength: 2048 })
      .privateKey.export({ type: "pkcs8", format: "pem" })
      .toString();
    const { issue, sent, redactor } = issuerAnswering([ok({ access_token: "tok-2" })], {
      kind: "clientAssertion",
      clientId: "cid",
      privateKeyPem: pem,
      signingAlg: "RS256",
      audience: "https://t.auth0.com/api/v2/",
    });
    await issue();
    expect(sent[0]?.form).toBeUndefined();
    const [first, second] = [await sent[0]!.freshForm!(), await sent[0]!.freshForm!()];
    expect(first).toMatchObject({
      grant_type: "client_credentials",
      client_id: "cid",
      audience: "https://t.auth0.com/api/v2/",
      client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
    });
    expect(first).not.toHaveProperty("client_secret");
    expect(decodeJwt(first["client_assertion"]!).aud).toBe("https://t.auth0.com/");
    expect(decodeJwt(first["client_assertion"]!).jti).not.toBe(decodeJwt(second["client_assertion"]!).jti);
    expect(redactor.redact(`echo ${first["client_assertion"]}`)).toBe("echo [REDACTED]");
  });
});
