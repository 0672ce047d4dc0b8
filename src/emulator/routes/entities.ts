import { resourceServerNotFound, roleNotFound, userNotFound } from "../api-errors";
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

/** GET /roles/{id}: `{id, name, description}`; a missing role is a 404 without errorCode (§7). */
export function getRoleRoute(context: EmulatorContext, request: ApiRequest): Reply {
  rejectUnknownParameters(request.query, []);
  const role = context.store.roles.get(request.id);
  if (role === undefined) throw roleNotFound();
  return { status: 200, body: { id: role.id, name: role.name, description: role.description } };
}

function resourceServerBody(server: ResourceServerRecord): Record<string, unknown> {
  return {
    id: server.id,
    name: server.name,
    identifier: server.identifier,
    is_system: false,
    signing_alg: "RS256",
    token_lifetime: 86400,
    allow_offline_access: false,
    skip_consent_for_verifiable_first_party_clients: true,
    scopes: [...server.scopes].map(([value, description]) => ({ value, description: description ?? "" })),
  };
}

/** GET /resource-servers: paginated like the permission lists, under the key `resource_servers`. */
export function listResourceServersRoute(context: EmulatorContext, request: ApiRequest): Reply {
  const page = parsePageRequest(request.query, context.options.perPageAboveMaximum, ["identifiers"]);
  let servers = [...context.store.resourceServers.values()];
  const identifiers = request.query["identifiers"];
  if (identifiers !== undefined) {
    const wanted = new Set(identifiers.split(","));
    servers = servers.filter((server) => wanted.has(server.identifier));
  }
  return { status: 200, body: paginate(servers.map(resourceServerBody), page, "resource_servers") };
}

/** GET /resource-servers/{id} accepts the id or the identifier (audience), as Auth0 does. */
export function getResourceServerRoute(context: EmulatorContext, request: ApiRequest): Reply {
  rejectUnknownParameters(request.query, ["include_fields", "fields"]);
  const server = context.store.findResourceServer(request.id);
  if (server === undefined) throw resourceServerNotFound(request.id);
  return { status: 200, body: resourceServerBody(server) };
}
