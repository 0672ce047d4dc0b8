import type { Credentials } from "../config/settings";
import { Auth0TokenError, type OperationContext } from "../errors";
import { CLIENT_ASSERTION_TYPE, clientAssertionSigner } from "./client-assertion";
import type { Redactor } from "./redact";
import type { IssuedToken } from "./token-cache";
import type { HttpRequest, HttpResponse } from "./transport";

export interface TokenRequestDependencies {
  /** One logical request with the client's retries, on the token endpoint's own pacer (Auth0 limits it separately). */
  readonly send: (
    request: HttpRequest,
    context: OperationContext,
  ) => Promise<{ response: HttpResponse; attempts: number }>;
  readonly redactor: Redactor;
  /** Host[:port] of the tenant. */
  readonly domain: string;
  readonly now: () => number;
}

type TokenCredentials = Exclude<Credentials, { kind: "apiToken" }>;

/** Used when the token endpoint leaves `expires_in` out: Auth0's documented default. */
const DEFAULT_EXPIRES_IN_S = 86_400;

/**
 * The token request of the client credentials grant, with a client secret or with a Private Key JWT
 * client assertion (signed anew for every attempt). Returns a function for TokenCache. The secret, the
 * key and every token issued are registered with the redactor before anything can print them.
 */
export function tokenIssuer(credentials: TokenCredentials, deps: TokenRequestDependencies): () => Promise<IssuedToken> {
  const base = { grant_type: "client_credentials", client_id: credentials.clientId, audience: credentials.audience };
  let body: Pick<HttpRequest, "form" | "freshForm">;
  if (credentials.kind === "clientCredentials") {
    deps.redactor.add(credentials.clientSecret);
    body = { form: { ...base, client_secret: credentials.clientSecret } };
  } else {
    deps.redactor.add(credentials.privateKeyPem);
    const sign = clientAssertionSigner({ ...credentials, domain: deps.domain }, deps.now);
    body = {
      freshForm: async () => {
        const assertion = await sign();
        deps.redactor.add(assertion);
        return { ...base, client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: assertion };
      },
    };
  }
  const context = {
    action: "get an access token",
    target: `for client '${credentials.clientId}' from tenant '${deps.domain}'`,
  };
  return async () => {
    const { response, attempts } = await deps.send({ method: "POST", path: "/oauth/token", ...body }, context);
    return readToken(response, attempts, credentials, context, deps.redactor);
  };
}

/** The token endpoint's answer → a token, or an error naming what to check. Anything unrecognised fails. */
function readToken(
  response: HttpResponse,
  attempts: number,
  credentials: TokenCredentials,
  context: OperationContext,
  redactor: Redactor,
): IssuedToken {
  const body = (typeof response.data === "object" && response.data !== null ? response.data : {}) as {
    access_token?: unknown;
    expires_in?: unknown;
    token_type?: unknown;
    error?: unknown;
    error_description?: unknown;
  };
  const token = body.access_token;
  if (response.status === 200 && typeof token === "string" && token !== "") {
    redactor.add(token);
    const fail = (what: string): never => {
      throw new Auth0TokenError(
        `Could not ${context.action} ${context.target}: the token endpoint answered 200 with ${what}, which ` +
          "this library does not recognise; nothing was sent with it.",
      );
    };
    // It goes into an Authorization header: a control character or a space would fail there with a raw error.
    if (!/^[\x21-\x7e]+$/.test(token)) fail("an access_token that is not a valid header value");
    if (body.token_type !== undefined && String(body.token_type).toLowerCase() !== "bearer") {
      fail("a token_type other than Bearer");
    }
    if (body.expires_in !== undefined && !(typeof body.expires_in === "number" && body.expires_in > 0)) {
      fail("an expires_in that is not a positive number of seconds");
    }
    const expiresIn = typeof body.expires_in === "number" ? body.expires_in : DEFAULT_EXPIRES_IN_S;
    return { accessToken: token, expiresInSeconds: expiresIn };
  }
  const described = [body.error, body.error_description]
    .filter((v): v is string => typeof v === "string" && v !== "")
    .map((v) => v.slice(0, 300))
    .join(": ");
  const check =
    credentials.kind === "clientCredentials"
      ? "Check auth0:clientId and auth0:clientSecret"
      : "Check auth0:clientId, auth0:clientAssertionPrivateKey and auth0:clientAssertionSigningAlg (the application's " +
        "credential must hold the matching public key)";
  throw new Auth0TokenError(
    redactor.redact(
      `Could not ${context.action} ${context.target}: the token endpoint answered ${response.status}` +
        `${described ? ` (${described})` : ""}${attempts > 1 ? ` after ${attempts} attempts` : ""}. ` +
        `${check}, and that the application is authorized for the Auth0 Management API with audience ` +
        `${credentials.audience}.`,
    ),
  );
}
