import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { clientAssertionType, MissingJoseError } from "../client-assertion";
import type { EmulatorContext } from "../context";
import { readBody, type Reply } from "../http-io";
import type { ClientRecord } from "../store";

/** The token endpoint answers `application/json` without a charset (auth0-api-facts.md §14). */
const tokenContentType = "application/json";

/** OAuth-style errors, `{error, error_description}` (auth0-api-facts.md §8). */
function oauthError(status: number, error: string, description: string): Reply {
  return {
    status,
    body: { error, error_description: description },
    headers: { "content-type": tokenContentType, "cache-control": "no-store" },
  };
}

const unauthorizedClient = (): Reply => oauthError(401, "access_denied", "Unauthorized");

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function decodeFields(raw: Buffer, contentType: string | undefined): Record<string, string> | undefined {
  const text = raw.toString("utf8");
  const fields: Record<string, string> = {};
  if (contentType?.toLowerCase().includes("application/json")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return undefined;
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return undefined;
    for (const [key, value] of Object.entries(parsed)) if (typeof value === "string") fields[key] = value;
    return fields;
  }
  for (const [key, value] of new URLSearchParams(text)) fields[key] = value;
  return fields;
}

/** `Authorization: Basic base64(id:secret)` (client_secret_basic), which Auth0 accepts too. */
function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  const match = header === undefined ? null : /^Basic +(\S+)$/i.exec(header);
  if (match?.[1] === undefined) return undefined;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  try {
    return { id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
  } catch {
    return undefined;
  }
}

/**
 * The client a request authenticates: by secret (in the body or HTTP Basic), or by a Private Key JWT
 * assertion. Undefined for anything else, which the caller answers 401 like a wrong secret.
 */
async function authenticateClient(
  context: EmulatorContext,
  fields: Record<string, string>,
  authorization: string | undefined,
): Promise<ClientRecord | undefined> {
  const basic = basicCredentials(authorization);
  const assertion = fields["client_assertion"];
  const assertionType = fields["client_assertion_type"];
  if (assertion !== undefined || assertionType !== undefined) {
    // One authentication method per request: an assertion next to a secret is refused.
    if (assertionType !== clientAssertionType || assertion === undefined) return undefined;
    if (fields["client_secret"] !== undefined || basic !== undefined) return undefined;
    const result = await context.assertions.verify(assertion, fields["client_id"], (id) =>
      context.store.clients.get(id),
    );
    return "client" in result ? result.client : undefined;
  }
  const clientId = fields["client_id"] ?? basic?.id;
  const clientSecret = fields["client_secret"] ?? basic?.secret;
  const client = clientId === undefined ? undefined : context.store.clients.get(clientId);
  if (client?.client_secret === undefined || clientSecret === undefined) return undefined;
  return sameSecret(clientSecret, client.client_secret) ? client : undefined;
}

/**
 * POST /oauth/token, the client_credentials grant. Accepts form-encoded and JSON bodies, authenticates the
 * client by secret or Private Key JWT, checks the audience, and issues a token carrying the client's scopes
 * (narrowed by `scope` when given). Other parameters (`organization`, unknown ones) are accepted and ignored.
 */
export async function tokenRoute(context: EmulatorContext, request: IncomingMessage): Promise<Reply> {
  const fields = decodeFields(await readBody(request), request.headers["content-type"]);
  if (fields === undefined) return oauthError(400, "invalid_request", "Invalid JSON body");
  const grantType = fields["grant_type"];
  if (grantType === undefined) return oauthError(400, "invalid_request", "Missing required parameter: grant_type");
  if (grantType !== "client_credentials") {
    return oauthError(400, "unsupported_grant_type", `Unsupported grant type: ${grantType}`);
  }
  const hasAssertion = fields["client_assertion"] !== undefined || fields["client_assertion_type"] !== undefined;
  if (
    !hasAssertion &&
    fields["client_id"] === undefined &&
    basicCredentials(request.headers.authorization) === undefined
  ) {
    return oauthError(400, "invalid_request", "Missing required parameter: client_id");
  }
  let client: ClientRecord | undefined;
  try {
    client = await authenticateClient(context, fields, request.headers.authorization);
  } catch (error) {
    // Fail closed, and say why: no token without a verified assertion.
    if (error instanceof MissingJoseError) return oauthError(500, "server_error", error.message);
    throw error;
  }
  if (client === undefined) return unauthorizedClient();
  const audience = fields["audience"];
  if (audience === undefined) {
    return oauthError(
      403,
      "access_denied",
      "No audience parameter was provided, and no default audience has been configured",
    );
  }
  if (!context.audiences.includes(audience)) return oauthError(403, "access_denied", `Service not found: ${audience}`);
  const requested = fields["scope"]?.split(" ").filter((scope) => scope !== "");
  const scopes = requested === undefined ? client.scopes : client.scopes.filter((scope) => requested.includes(scope));
  const token = context.tokens.issue(client.client_id, scopes, audience);
  return {
    status: 200,
    body: token,
    headers: { "content-type": tokenContentType, "cache-control": "no-store", pragma: "no-cache" },
  };
}
