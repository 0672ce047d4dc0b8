import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { unauthorized, type ApiError } from "./api-errors";

export interface IssuedToken {
  clientId: string;
  scopes: ReadonlySet<string>;
  expiresAt: number;
  expired: boolean;
}

/**
 * The body of a successful POST /oauth/token: `{access_token, expires_in, token_type}` as recorded
 * (auth0-api-facts.md §14), with `scope` only when the `tokenScopeMember` option asks for it.
 */
export interface TokenResponse {
  access_token: string;
  expires_in: number;
  scope?: string;
  token_type: "Bearer";
}

const base64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");

/**
 * Issues JWT-shaped access tokens and recognises them again. The signature key is random per start; tokens
 * are looked up in a table rather than verified, which is both faster and lets `expireAll()` revoke them.
 */
export class TokenIssuer {
  private readonly tokens = new Map<string, IssuedToken>();
  private readonly key = randomBytes(32);

  constructor(
    private readonly now: () => number,
    private readonly ttlSeconds: number,
    private readonly issuerUrl: string,
    private readonly scopeMember: boolean,
  ) {}

  issue(clientId: string, scopes: readonly string[], audience: string): TokenResponse {
    if (this.tokens.size > 10_000) this.sweep();
    const issuedAt = Math.floor(this.now() / 1000);
    const scope = scopes.join(" ");
    const header = base64url({ alg: "HS256", typ: "JWT", kid: "auth0-permissions-emulator" });
    const payload = base64url({
      iss: this.issuerUrl,
      sub: `${clientId}@clients`,
      aud: audience,
      iat: issuedAt,
      exp: issuedAt + this.ttlSeconds,
      scope,
      gty: "client-credentials",
      azp: clientId,
      jti: randomUUID(),
    });
    const signature = createHmac("sha256", this.key).update(`${header}.${payload}`).digest("base64url");
    const token = `${header}.${payload}.${signature}`;
    this.tokens.set(token, {
      clientId,
      scopes: new Set(scopes),
      expiresAt: this.now() + this.ttlSeconds * 1000,
      expired: false,
    });
    return this.scopeMember
      ? { access_token: token, expires_in: this.ttlSeconds, scope, token_type: "Bearer" }
      : { access_token: token, expires_in: this.ttlSeconds, token_type: "Bearer" };
  }

  /** The token behind an `Authorization` header, or a 401 for a missing, malformed, unknown or expired one. */
  authenticate(authorization: string | undefined): IssuedToken | ApiError {
    if (authorization === undefined || authorization === "") return unauthorized("Missing authentication");
    const match = /^Bearer +(\S+)$/i.exec(authorization);
    const token = match?.[1];
    if (token === undefined || token.split(".").length !== 3) return unauthorized("Invalid token");
    const issued = this.tokens.get(token);
    if (issued === undefined) return unauthorized("Invalid token");
    if (issued.expired || this.now() >= issued.expiresAt) {
      return unauthorized("Expired token received for JSON Web Token validation");
    }
    return issued;
  }

  /** Every token issued so far is rejected from now on as expired. */
  expireAll(): void {
    for (const token of this.tokens.values()) token.expired = true;
  }

  private sweep(): void {
    const now = this.now();
    for (const [key, token] of this.tokens) if (token.expired || now >= token.expiresAt) this.tokens.delete(key);
  }
}
