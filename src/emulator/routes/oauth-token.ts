import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { EmulatorContext } from "../context";
import { readBody, type Reply } from "../http-io";

/** OAuth-style errors, `{error, error_description}` (auth0-api-facts.md §8). */
function oauthError(status: number, error: string, description: string): Reply {
  return { status, body: { error, error_description: description }, headers: { "cache-control": "no-store" } };
}

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
 * POST /oauth/token, the client_credentials grant. Accepts form-encoded and JSON bodies, checks the client
 * and the audience, and issues a token carrying the client's scopes (narrowed by `scope` when given).
 */
export async function tokenRoute(context: EmulatorContext, request: IncomingMessage): Promise<Reply> {
  const fields = decodeFields(await readBody(request), request.headers["content-type"]);
  if (fields === undefined) return oauthError(400, "invalid_request", "Invalid JSON body");
  const grantType = fields["grant_type"];
  if (grantType === undefined) return oauthError(400, "invalid_request", "Missing required parameter: grant_type");
  if (grantType !== "client_credentials") {
    return oauthError(400, "unsupported_grant_type", `Unsupported grant type: ${grantType}`);
  }
  const basic = basicCredentials(request.headers.authorization);
  const clientId = fields["client_id"] ?? basic?.id;
  const clientSecret = fields["client_secret"] ?? basic?.secret;
  if (clientId === undefined) return oauthError(400, "invalid_request", "Missing required parameter: client_id");
  const client = context.store.clients.get(clientId);
  if (client === undefined || clientSecret === undefined || !sameSecret(clientSecret, client.client_secret)) {
    return oauthError(401, "access_denied", "Unauthorized");
  }
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
  return { status: 200, body: token, headers: { "cache-control": "no-store", pragma: "no-cache" } };
}
