import { generateKeyPairSync } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_TUNING, type ClientAssertionSigningAlg } from "../../src/config/defaults";
import { resolveSettings, type Settings } from "../../src/config/settings";
import { Auth0TokenError } from "../../src/errors";
import { startJwtTenant } from "./support/jwt-tenant";
import { failureOf, hostileClient, readUser } from "./support/servers";

/** Private Key JWT against a token endpoint that verifies assertions with jose (see support/jwt-tenant.ts). */
const running: { close: () => Promise<void> }[] = [];
afterEach(async () => {
  for (const server of running.splice(0)) await server.close();
});

function keyPair() {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
}

/** Settings as a stack would give them: through resolveSettings, with the keys of @pulumi/auth0. */
function jwtSettings(domain: string, privateKeyPem: string, alg?: ClientAssertionSigningAlg): Settings {
  const values: Record<string, string> = {
    "auth0:domain": domain,
    "auth0:clientId": "jwt-client",
    "auth0:clientAssertionPrivateKey": privateKeyPem,
    ...(alg ? { "auth0:clientAssertionSigningAlg": alg } : {}),
  };
  const settings = resolveSettings((key) => values[key], {});
  return { ...settings, tuning: { ...DEFAULT_TUNING, maxRetries: 2, requestTimeoutMs: 2_000 } };
}

describe("hostile tenant: Private Key JWT, verified", () => {
  for (const alg of ["RS256", "RS384", "PS256"] as const) {
    it(`gets a token with a ${alg} client assertion that the tenant verifies, then uses it`, async () => {
      const keys = keyPair();
      const tenant = await startJwtTenant({ clientId: "jwt-client", publicKeyPem: keys.publicKeyPem });
      running.push(tenant);
      const { client } = hostileClient(tenant.url, jwtSettings(tenant.domain, keys.privateKeyPem, alg));
      const before = Math.floor(Date.now() / 1000);
      expect((await client.request(readUser)).status).toBe(200);
      expect(tenant.rejected).toEqual([]);
      expect(tenant.accepted).toHaveLength(1);
      const claims = tenant.accepted[0]!;
      expect(claims).toMatchObject({
        alg,
        iss: "jwt-client",
        sub: "jwt-client",
        aud: `https://${tenant.domain}/`,
        client_id: "jwt-client",
      });
      expect(claims["iat"]).toBeGreaterThanOrEqual(before);
      expect((claims["exp"] as number) - (claims["iat"] as number)).toBe(60);
    });
  }

  it("a retried token request carries a fresh assertion (a new jti): the tenant would refuse a replay", async () => {
    const keys = keyPair();
    const tenant = await startJwtTenant({ clientId: "jwt-client", publicKeyPem: keys.publicKeyPem });
    running.push(tenant);
    tenant.failTokenRequests(1);
    const { client } = hostileClient(tenant.url, jwtSettings(tenant.domain, keys.privateKeyPem));
    expect((await client.request(readUser)).status).toBe(200);
    expect(tenant.rejected).toEqual([]);
    expect(tenant.accepted).toHaveLength(1);
  });

  it("a key the tenant does not hold is refused, and the error names the keys to check without printing the key", async () => {
    const tenant = await startJwtTenant({ clientId: "jwt-client", publicKeyPem: keyPair().publicKeyPem });
    running.push(tenant);
    const other = keyPair();
    const { client, logs } = hostileClient(tenant.url, jwtSettings(tenant.domain, other.privateKeyPem));
    const { error } = await failureOf(client.request(readUser));
    expect(error).toBeInstanceOf(Auth0TokenError);
    expect(error.message).toMatch(
      /token endpoint answered 401 \(invalid_client: invalid assertion: signature verification failed\).*auth0:clientAssertionPrivateKey/,
    );
    for (const line of other.privateKeyPem.split("\n").filter((l) => l.length > 20 && !l.startsWith("-----"))) {
      expect(error.message + logs.join("\n")).not.toContain(line);
    }
  });
});
