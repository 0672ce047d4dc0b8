import { invalidQuery, missingResourceServer, roleNotFound, userNotFound } from "../api-errors";
import type { EmulatorContext } from "../context";
import type { Reply } from "../http-io";
import { paginate, parsePageRequest, rejectUnknownParameters } from "../pagination";
import type { ResourceServerRecord } from "../store";
import type { ApiRequest } from "./api-request";

/** GET /users/{id}: enough of Auth0's user object for existence checks (auth0-api-facts.md §7). */
export function getUserRoute(context: EmulatorContext, request: ApiRequest): Reply {
  rejectUnknownParameters(request.query, ["fields", "include_fields"]);
  const user = context.store.users.get(request.id);
  if (user === undefined) throw userNotFound();
  const separator = user.user_id.indexOf("|");
  const provider = separator > 0 ? user.user_id.slice(0, separator) : "auth0";
  return {
    status: 200,
    body: {
      user_id: user.user_id,
      identities: [
        {
          provider,
          user_id: separator > 0 ? user.user_id.slice(separator + 1) : user.user_id,
          connection: provider === "auth0" ? "Username-Password-Authentication" : provider,
          isSocial: false,
        },
      ],
      created_at: user.created_at,
      updated_at: user.created_at,
    },
  };
}

/**
 * GET /roles/{id}: `{id, name, description, type}`, plus `owner_id` on an organization role (2026
 * recordings, auth0-api-facts.md §14); a missing role is a 404 without errorCode (§7).
 */
export function getRoleRoute(context: EmulatorContext, request: ApiRequest): Reply {
  rejectUnknownParameters(request.query, []);
  const role = context.store.roles.get(request.id);
  if (role === undefined) throw roleNotFound();
  const body: Record<string, string> = { id: role.id, name: role.name, description: role.description, type: role.type };
  if (role.ownerId !== undefined) body["owner_id"] = role.ownerId;
  return { status: 200, body };
}

/**
 * A resource server as Auth0 renders it (§14): no `name` or `scopes` member unless the API has them, a
 * scope without a description as `{value}` alone, `is_system` only on system APIs.
 */
function resourceServerBody(server: ResourceServerRecord): Record<string, unknown> {
  const body: Record<string, unknown> = { id: server.id };
  if (server.name !== undefined) body["name"] = server.name;
  body["identifier"] = server.identifier;
  body["allow_offline_access"] = server.allowOfflineAccess;
  body["skip_consent_for_verifiable_first_party_clients"] = server.skipConsent;
  body["token_lifetime"] = server.tokenLifetime;
  body["token_lifetime_for_web"] = server.tokenLifetimeForWeb;
  body["signing_alg"] = "RS256";
  if (server.hasScopes) {
    body["scopes"] = [...server.scopes].map(([value, description]) =>
      description === undefined ? { value } : { value, description },
    );
  }
  if (server.isSystem) body["is_system"] = true;
  return body;
}

/** `fields=a,b` keeps only those members (`include_fields=false`: all but those), as Auth0's field filter does. */
function selectFields(query: Record<string, string>): (body: Record<string, unknown>) => Record<string, unknown> {
  const include = query["include_fields"];
  if (include !== undefined && include !== "true" && include !== "false") {
    throw invalidQuery("Expected type boolean but found type string", "include_fields");
  }
  const fields = query["fields"];
  if (fields === undefined || fields === "") return (body) => body;
  const names = new Set(fields.split(",").map((name) => name.trim()));
  const keep = include !== "false";
  return (body) => Object.fromEntries(Object.entries(body).filter(([name]) => names.has(name) === keep));
}

/** At most this many `identifiers` values, as Auth0's API reference states ("max 10"). */
const maximumIdentifiers = 10;

/**
 * GET /resource-servers: paginated like the permission lists, under the key `resource_servers`; filtered by
 * `identifiers` (repeated for several) and shaped by `fields` / `include_fields`.
 */
export function listResourceServersRoute(context: EmulatorContext, request: ApiRequest): Reply {
  const page = parsePageRequest(request.query, context.options.perPageAboveMaximum, [
    "identifiers",
    "fields",
    "include_fields",
  ]);
  const select = selectFields(request.query);
  let servers = [...context.store.resourceServers.values()];
  const identifiers = request.params.getAll("identifiers");
  if (identifiers.length > maximumIdentifiers) {
    throw invalidQuery(`Array is too long (${identifiers.length}), maximum ${maximumIdentifiers}`, "identifiers");
  }
  if (identifiers.length > 0) {
    const wanted = new Set(identifiers);
    servers = servers.filter((server) => wanted.has(server.identifier));
  }
  return {
    status: 200,
    body: paginate(
      servers.map((server) => select(resourceServerBody(server))),
      page,
      "resource_servers",
    ),
  };
}

/** The id once more percent-decoded (`https:%2F%2F…` → `https://…`), or undefined when that changes nothing. */
function decodedAgain(id: string): string | undefined {
  if (!id.includes("%")) return undefined;
  try {
    const decoded = decodeURIComponent(id);
    return decoded === id ? undefined : decoded;
  } catch {
    return undefined;
  }
}

/**
 * GET /resource-servers/{id} accepts the id or the identifier (audience), as Auth0 does, including an
 * identifier encoded twice (`https:%252F%252F…`, §14).
 */
export function getResourceServerRoute(context: EmulatorContext, request: ApiRequest): Reply {
  rejectUnknownParameters(request.query, ["include_fields", "fields"]);
  const select = selectFields(request.query);
  const again = decodedAgain(request.id);
  const server =
    context.store.findResourceServer(request.id) ??
    (again === undefined ? undefined : context.store.findResourceServer(again));
  if (server === undefined) throw missingResourceServer();
  return { status: 200, body: select(resourceServerBody(server)) };
}
