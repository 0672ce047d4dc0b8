import { invalidUri } from "./api-errors";
import type { EmulatorContext } from "./context";
import type { Reply } from "./http-io";
import type { ApiRequest } from "./routes/api-request";
import { getResourceServerRoute, getRoleRoute, getUserRoute, listResourceServersRoute } from "./routes/entities";
import {
  assignRolePermissionsRoute,
  assignUserPermissionsRoute,
  listRolePermissionsRoute,
  listUserPermissionsRoute,
  removeRolePermissionsRoute,
  removeUserPermissionsRoute,
} from "./routes/permissions";

export interface ApiRoute {
  /** The token needs any one of these (auth0-api-facts.md §1–§7). */
  scopes: readonly string[];
  /** Whether the request carries a body to read and decode. */
  hasBody: boolean;
  handle: (context: EmulatorContext, request: ApiRequest) => Reply;
}

const route = (scopes: readonly string[], hasBody: boolean, handle: ApiRoute["handle"]): ApiRoute => ({
  scopes,
  hasBody,
  handle,
});

/** `/api/v2/users/{id}/permissions` etc., keyed by `METHOD collection[/sub]`. */
const routes: ReadonlyMap<string, ApiRoute> = new Map([
  ["GET users/permissions", route(["read:users"], false, listUserPermissionsRoute)],
  ["POST users/permissions", route(["update:users"], true, assignUserPermissionsRoute)],
  ["DELETE users/permissions", route(["update:users"], true, removeUserPermissionsRoute)],
  ["GET roles/permissions", route(["read:roles"], false, listRolePermissionsRoute)],
  ["POST roles/permissions", route(["update:roles"], true, assignRolePermissionsRoute)],
  ["DELETE roles/permissions", route(["update:roles"], true, removeRolePermissionsRoute)],
  ["GET users/", route(["read:users", "read:current_user", "read:user_idp_tokens"], false, getUserRoute)],
  ["GET roles/", route(["read:roles"], false, getRoleRoute)],
  ["GET resource-servers", route(["read:resource_servers"], false, listResourceServersRoute)],
  ["GET resource-servers/", route(["read:resource_servers"], false, getResourceServerRoute)],
]);

export interface RouteMatch {
  route: ApiRoute;
  /** Percent-decoded `{id}`, "" when the route has none. */
  id: string;
}

/**
 * Matches a path under `/api/v2/` (given without that prefix). Returns undefined for an unknown path or
 * method, and throws a 400 `invalid_uri` for an id whose percent-encoding is broken.
 */
export function matchRoute(method: string, apiPath: string): RouteMatch | undefined {
  const segments = apiPath.split("/");
  const [collection, rawId, sub] = segments;
  if (collection === undefined || collection === "" || segments.length > 3) return undefined;
  if (rawId === undefined) {
    const found = routes.get(`${method} ${collection}`);
    return found === undefined ? undefined : { route: found, id: "" };
  }
  if (rawId === "") return undefined;
  const found = routes.get(`${method} ${collection}/${sub ?? ""}`);
  if (found === undefined) return undefined;
  let id: string;
  try {
    id = decodeURIComponent(rawId);
  } catch {
    throw invalidUri();
  }
  return { route: found, id };
}
