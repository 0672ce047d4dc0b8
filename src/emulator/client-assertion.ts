import type { ClientRecord } from "./store";

/** `client_assertion_type` of Private Key JWT (RFC 7523), as Auth0 accepts it. */
export const clientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/** Signing algorithms Auth0 accepts for Private Key JWT assertions. */
export const clientAssertionAlgorithms: readonly string[] = ["RS256", "RS384", "PS256"];

/** An assertion's `exp` may be at most this far ahead (ASSUMED; node-auth0 signs 3-minute assertions). */
export const maximumAssertionLifetimeSeconds = 300;

/** Longest assertion read; a 4096-bit RS384 assertion with the usual claims is about 1 KB. */
const maximumAssertionLength = 16_384;

/** `jti`s remembered at most; each is kept only until its assertion expires (5 minutes at most). */
const maximumRememberedIds = 100_000;

type Jose = typeof import("jose");

/** Why an assertion was refused; callers answer every one of them 401 access_denied "Unauthorized". */
export type AssertionResult = { client: ClientRecord } | { refused: string };

/** jose, an optional dependency, is not installed: Private Key JWT cannot be verified. */
export class MissingJoseError extends Error {
  override readonly name = "MissingJoseError" as const;
}

/**
 * jose is an optional dependency, loaded on the first assertion: only the emulator's Private Key JWT needs it.
 */
async function loadJose(): Promise<Jose> {
  try {
    return await import("jose");
  } catch (error) {
    throw new MissingJoseError(
      "The emulator's Private Key JWT support needs the optional dependency jose: run `npm install jose`",
      { cause: error },
    );
  }
}

/**
 * Verifies Private Key JWT client assertions: the signature (RS256, RS384 or PS256) with a key seeded for the
 * client, `iss` = `sub` = the client id, `aud` a single string naming the tenant (`https://{domain}/`), `exp`
 * in the future but at most 5 minutes ahead, and a `jti` never seen before. Time comes from the injected clock.
 */
export class AssertionVerifier {
  /** `[client, jti]` as JSON → the assertion's expiry (epoch ms). */
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly now: () => number,
    private readonly audiences: readonly string[],
    private readonly jose: () => Promise<Jose> = loadJose,
  ) {}

  async verify(
    assertion: string,
    claimedClientId: string | undefined,
    findClient: (clientId: string) => ClientRecord | undefined,
  ): Promise<AssertionResult> {
    if (assertion.length > maximumAssertionLength) return { refused: "assertion too long" };
    const jose = await this.jose();
    let issuer: unknown;
    let kid: unknown;
    try {
      issuer = jose.decodeJwt(assertion).iss;
      kid = jose.decodeProtectedHeader(assertion).kid;
    } catch {
      return { refused: "not a JWT" };
    }
    if (typeof issuer !== "string" || issuer === "") return { refused: "no iss" };
    if (claimedClientId !== undefined && claimedClientId !== issuer) return { refused: "client_id is not iss" };
    const client = findClient(issuer);
    if (client === undefined || client.keys.length === 0) return { refused: "no such client with a public key" };
    const byKid = client.keys.filter((entry) => entry.kid !== undefined && entry.kid === kid);
    const candidates = byKid.length > 0 ? byKid : client.keys;
    const nowMs = this.now();
    for (const { key } of candidates) {
      let payload: Record<string, unknown>;
      try {
        ({ payload } = await jose.jwtVerify(assertion, key, {
          algorithms: [...clientAssertionAlgorithms],
          issuer,
          subject: issuer,
          audience: [...this.audiences],
          currentDate: new Date(nowMs),
          requiredClaims: ["iss", "sub", "aud", "exp", "jti"],
        }));
      } catch {
        continue;
      }
      return this.accept(client, payload, nowMs);
    }
    return { refused: "bad signature or claims" };
  }

  private accept(client: ClientRecord, payload: Record<string, unknown>, nowMs: number): AssertionResult {
    const { aud, exp, jti } = payload;
    if (typeof aud !== "string") return { refused: "aud must be a single string" };
    if (typeof exp !== "number" || exp * 1000 > nowMs + maximumAssertionLifetimeSeconds * 1000) {
      return { refused: "exp too far ahead" };
    }
    if (typeof jti !== "string" || jti === "") return { refused: "no jti" };
    this.forgetExpired(nowMs);
    const key = JSON.stringify([client.client_id, jti]);
    if (this.seen.has(key)) return { refused: "jti replayed" };
    if (this.seen.size >= maximumRememberedIds) return { refused: "too many assertions in 5 minutes" };
    this.seen.set(key, exp * 1000);
    return { client };
  }

  private forgetExpired(nowMs: number): void {
    if (this.seen.size < 1000) return;
    for (const [key, expiresAt] of this.seen) if (expiresAt <= nowMs) this.seen.delete(key);
  }
}
