import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import * as tls from "node:tls";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_TUNING, type ClientAssertionSigningAlg } from "../../src/config/defaults";
import { resolveSettings, type Settings } from "../../src/config/settings";
import { Auth0TokenError } from "../../src/errors";
import { managementScopes, startEmulator } from "../../src/emulator";
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

describe("Private Key JWT against the emulator over HTTPS (public key seeded per client)", () => {
  it("the emulator verifies the client's assertions (after a 503 too); a stranger's key is refused", async () => {
    const keys = keyPair();
    const rs = "https://api.example.com";
    const emulator = await startEmulator({
      seed: {
        resource_servers: [{ identifier: rs, scopes: ["read:reports"] }],
        users: [
          {
            user_id: "auth0|hostile",
            permissions: [{ resource_server_identifier: rs, permission_name: "read:reports" }],
          },
        ],
        clients: [{ client_id: "jwt-client", public_key: keys.publicKeyPem, scopes: [...managementScopes] }],
      },
    });
    const trusted = tls.getCACertificates("default");
    tls.setDefaultCACertificates([...trusted, readFileSync(emulator.caCertPath!, "utf8")]);
    try {
      const settings = jwtSettings(emulator.domain, keys.privateKeyPem, "PS256");
      // One token request answered 503 by a fault: the retry signs a new assertion, which the emulator verifies.
      emulator.admin.addFault({ match: { method: "POST", path: "^/oauth/token$" }, response: { status: 503 } });
      const { client } = hostileClient(emulator.url, settings);
      const response = await client.request(readUser);
      expect(response.status).toBe(200);
      expect(emulator.admin.requests().map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
        "POST /oauth/token 503",
        "POST /oauth/token 200",
        "GET /api/v2/users/auth0%7Chostile/permissions 200",
      ]);

      const stranger = hostileClient(emulator.url, jwtSettings(emulator.domain, keyPair().privateKeyPem)).client;
      const { error } = await failureOf(stranger.request(readUser));
      expect(error).toBeInstanceOf(Auth0TokenError);
      expect(error.message).toMatch(/the token endpoint answered 401/);
    } finally {
      tls.setDefaultCACertificates(trusted);
      await emulator.stop();
    }
  });
});
