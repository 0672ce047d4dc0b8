import { createPrivateKey, randomUUID, type KeyObject } from "node:crypto";
import { CLIENT_ASSERTION_LIFETIME_S, type ClientAssertionSigningAlg } from "../config/defaults";
import { ConfigurationError } from "../errors";

/** The `client_assertion_type` of a Private Key JWT token request (RFC 7523). */
export const CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

export interface ClientAssertionInput {
  readonly clientId: string;
  /** Checked by resolveSettings to be an RSA private key fit for `signingAlg`. */
  readonly privateKeyPem: string;
  readonly signingAlg: ClientAssertionSigningAlg;
  /** Host[:port] of the tenant: the assertion's audience is `https://{domain}/`. */
  readonly domain: string;
}

/** The claims of one assertion, pure: `iss` = `sub` = the client id, a single-string `aud`, `exp` 60 s on. */
export function assertionClaims(
  input: Pick<ClientAssertionInput, "clientId" | "domain">,
  nowMs: number,
  jti: string,
): { iss: string; sub: string; aud: string; jti: string; iat: number; exp: number } {
  const iat = Math.floor(nowMs / 1000);
  return {
    iss: input.clientId,
    sub: input.clientId,
    // A single string, not an array: Auth0 accepts only this form since its 2025 deprecation of others.
    aud: `https://${input.domain}/`,
    jti,
    iat,
    exp: iat + CLIENT_ASSERTION_LIFETIME_S,
  };
}

/**
 * Signs a fresh client assertion at each call (a unique `jti` each time: Auth0 refuses a replay), with
 * jose. The key is parsed once, on first use; jose is loaded then too, so that stacks with a client
 * secret never load it.
 */
export function clientAssertionSigner(
  input: ClientAssertionInput,
  now: () => number,
  newJti: () => string = randomUUID,
): () => Promise<string> {
  let key: KeyObject | undefined;
  return async () => {
    key ??= createPrivateKey({ key: input.privateKeyPem, format: "pem" });
    const { SignJWT } = await loadJose();
    const claims = assertionClaims(input, now(), newJti());
    return new SignJWT({ jti: claims.jti })
      .setProtectedHeader({ alg: input.signingAlg, typ: "JWT" })
      .setIssuer(claims.iss)
      .setSubject(claims.sub)
      .setAudience(claims.aud)
      .setIssuedAt(claims.iat)
      .setExpirationTime(claims.exp)
      .sign(key);
  };
}

async function loadJose(): Promise<typeof import("jose")> {
  try {
    return await import("jose");
  } catch (cause) {
    throw new ConfigurationError(
      "auth0:clientAssertionPrivateKey (Private Key JWT) needs the package jose, a dependency of " +
        "pulumi-auth0-permissions that is not installed: run `npm install jose`.",
      { cause },
    );
  }
}
