import { generateKeyPairSync, randomUUID, type KeyObject } from "node:crypto";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import {
  clientAssertionType,
  maximumAssertionLifetimeSeconds,
  startEmulator,
  type SeedClient,
} from "../../src/emulator";
import { TestClock } from "../helpers/clock.mjs";
import { expectAnswer, standardSeed, useEmulator } from "./support";

const rsa = () => generateKeyPairSync("rsa", { modulusLength: 2048 });
const pemKeys = rsa();
const jwksKeys = [rsa(), rsa()];
const otherKeys = rsa();
const publicPem = (key: KeyObject) => key.export({ type: "spki", format: "pem" }).toString();

const pemClient: SeedClient = {
  client_id: "pkjwt-pem",
  public_key: publicPem(pemKeys.publicKey),
  scopes: ["read:users"],
};
const jwksClient: SeedClient = {
  client_id: "pkjwt-jwks",
  jwks: {
    keys: jwksKeys.map((pair, index) => ({ ...pair.publicKey.export({ format: "jwk" }), kid: `key-${index}` })),
  },
  scopes: ["read:roles"],
};
const secretClient: SeedClient = { client_id: "secret-only", client_secret: "s3cret-value", scopes: ["read:users"] };

interface AssertionInit {
  alg?: string;
  kid?: string;
  key?: KeyObject;
  iss?: string;
  sub?: string;
  aud?: string | string[];
  /** Seconds from the emulator's clock. */
  expiresIn?: number;
  jti?: string | null;
}

describe("Private Key JWT (client_assertion) on POST /oauth/token", () => {
  const clock = new TestClock();
  const env = useEmulator(() => ({
    seed: { ...standardSeed(), clients: [pemClient, jwksClient, secretClient] },
    now: clock.now,
  }));
  const tenant = () => `https://${env.emulator.domain}/`;

  async function assertion(init: AssertionInit = {}): Promise<string> {
    const now = Math.floor(clock.current / 1000);
    const header: { alg: string; kid?: string } = { alg: init.alg ?? "RS256" };
    if (init.kid !== undefined) header.kid = init.kid;
    const claims: Record<string, unknown> = {};
    if (init.jti !== null) claims["jti"] = init.jti ?? randomUUID();
    return new SignJWT(claims)
      .setProtectedHeader(header)
      .setIssuer(init.iss ?? pemClient.client_id)
      .setSubject(init.sub ?? init.iss ?? pemClient.client_id)
      .setAudience(init.aud ?? tenant())
      .setIssuedAt(now)
      .setExpirationTime(now + (init.expiresIn ?? 60))
      .sign(init.key ?? pemKeys.privateKey);
  }

  function exchange(clientAssertion: string, extra: Record<string, string> = {}) {
    return env.client.request("POST", "/oauth/token", {
      form: {
        grant_type: "client_credentials",
        client_assertion_type: clientAssertionType,
        client_assertion: clientAssertion,
        audience: `https://${env.emulator.domain}/api/v2/`,
        ...extra,
      },
    });
  }

  it("a client seeded with a PEM public key gets a token for a signed assertion, with or without client_id", async () => {
    const without = await exchange(await assertion());
    expectAnswer(without, 200, { access_token: expect.any(String), expires_in: 86400, token_type: "Bearer" });
    const token = (without.json as { access_token: string }).access_token;
    expect((await env.client.request("GET", "/api/v2/users/auth0%7Calice", { token })).status).toBe(200);
    const withId = await exchange(await assertion(), { client_id: pemClient.client_id });
    expect(withId.status).toBe(200);
  });

  it.each(["RS384", "PS256"])("an assertion signed with %s is accepted", async (alg) => {
    expect((await exchange(await assertion({ alg }))).status).toBe(200);
  });

  it("a client seeded with a JWKS is verified with the key its kid names, or any of its keys without a kid", async () => {
    const second = jwksKeys[1]?.privateKey as KeyObject;
    const named = await assertion({ iss: jwksClient.client_id, key: second, kid: "key-1" });
    expect((await exchange(named)).status).toBe(200);
    const unnamed = await assertion({ iss: jwksClient.client_id, key: second });
    expect((await exchange(unnamed)).status).toBe(200);
    const wrongKid = await assertion({ iss: jwksClient.client_id, key: second, kid: "key-0" });
    expect((await exchange(wrongKid)).status).toBe(401);
  });

  it("node-auth0's 3-minute assertion passes; one expiring more than 5 minutes ahead answers 401", async () => {
    expect((await exchange(await assertion({ expiresIn: 180 }))).status).toBe(200);
    expect((await exchange(await assertion({ expiresIn: maximumAssertionLifetimeSeconds }))).status).toBe(200);
    expect((await exchange(await assertion({ expiresIn: maximumAssertionLifetimeSeconds + 1 }))).status).toBe(401);
  });

  it("an assertion past its exp on the emulator's clock answers 401", async () => {
    const signed = await assertion({ expiresIn: 30 });
    clock.current += 31_000;
    expect((await exchange(signed)).status).toBe(401);
  });

  it("a replayed jti answers 401, even in a new assertion", async () => {
    const jti = randomUUID();
    const first = await assertion({ jti });
    expect((await exchange(first)).status).toBe(200);
    expect((await exchange(first)).status).toBe(401);
    expect((await exchange(await assertion({ jti, expiresIn: 90 }))).status).toBe(401);
  });

  const refused: Array<[string, () => Promise<Record<string, string>>]> = [
    ["an RS512 signature", async () => ({ client_assertion: await assertion({ alg: "RS512" }) })],
    ["a signature by another key", async () => ({ client_assertion: await assertion({ key: otherKeys.privateKey }) })],
    ["iss naming another client", async () => ({ client_assertion: await assertion({ iss: "pkjwt-jwks" }) })],
    ["sub other than iss", async () => ({ client_assertion: await assertion({ sub: "someone-else" }) })],
    [
      "aud as an array",
      async () => ({ client_assertion: await assertion({ aud: [`https://${env.emulator.domain}/`] }) }),
    ],
    [
      "aud naming the API instead of the tenant",
      async () => ({
        client_assertion: await assertion({ aud: `https://${env.emulator.domain}/api/v2/` }),
      }),
    ],
    ["no jti", async () => ({ client_assertion: await assertion({ jti: null }) })],
    ["a client_id other than iss", async () => ({ client_assertion: await assertion(), client_id: "pkjwt-jwks" })],
    [
      "an assertion next to a client_secret",
      async () => ({
        client_assertion: await assertion(),
        client_secret: "anything",
      }),
    ],
    [
      "a client seeded with a secret only",
      async () => ({
        client_assertion: await assertion({ iss: secretClient.client_id }),
      }),
    ],
    ["an unknown client", async () => ({ client_assertion: await assertion({ iss: "nobody" }) })],
    [
      "another client_assertion_type",
      async () => ({
        client_assertion: await assertion(),
        client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:saml2-bearer",
      }),
    ],
    ["a client_assertion that is not a JWT", async () => ({ client_assertion: "not.a.jwt" })],
  ];
  it.each(refused)("%s answers 401 access_denied 'Unauthorized'", async (_label, fields) => {
    const { client_assertion: clientAssertion = "", ...extra } = await fields();
    const result = await exchange(clientAssertion, extra);
    expectAnswer(result, 401, { error: "access_denied", error_description: "Unauthorized" });
  });
});

describe("Private Key JWT seeds", () => {
  const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
  it.each([
    ["without any credential", { client_id: "c", scopes: [] }, "give client_secret, or public_key / jwks"],
    [
      "with a private key as public_key",
      {
        client_id: "c",
        scopes: [],
        public_key: pemKeys.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
      },
      "never a private key",
    ],
    [
      "with an EC public key",
      { client_id: "c", scopes: [], public_key: publicPem(ec.publicKey) },
      "must be an RSA key",
    ],
    [
      "with a private JWK",
      { client_id: "c", scopes: [], jwks: { keys: [pemKeys.privateKey.export({ format: "jwk" })] } },
      "is a private key",
    ],
    ["with an empty JWKS", { client_id: "c", scopes: [], jwks: { keys: [] } }, "at least one key"],
  ])("a client seeded %s is rejected", async (_label, client, message) => {
    await expect(startEmulator({ http: true, seed: { clients: [client as SeedClient] } })).rejects.toThrow(message);
  });

  it("the state shows a Private Key JWT client's public_key and jwks, and seeding it back round-trips", async () => {
    const emulator = await startEmulator({ http: true, seed: { clients: [pemClient, jwksClient] } });
    try {
      const state = emulator.admin.state();
      expect(state.clients.find((client) => client.client_id === pemClient.client_id)).toEqual(pemClient);
      expect(state.clients.find((client) => client.client_id === jwksClient.client_id)).toEqual(jwksClient);
      emulator.admin.seed(state, { replace: true });
      expect(emulator.admin.state()).toEqual(state);
    } finally {
      await emulator.stop();
    }
  });
});
