import { roleNotFound, userNotFound } from "../api-errors";
import { parsePermissionsPayload } from "../body-validation";
import type { EmulatorContext } from "../context";
import type { Reply } from "../http-io";
import { paginate, parsePageRequest } from "../pagination";
import {
  assignPermissions,
  listRolePermissions,
  listUserPermissions,
  removePermissions,
  type AssignRules,
} from "../permissions";
import type { RoleRecord, UserRecord } from "../store";
import type { ApiRequest } from "./api-request";

function user(context: EmulatorContext, id: string): UserRecord {
  const record = context.store.users.get(id);
  if (record === undefined) throw userNotFound();
  return record;
}

function role(context: EmulatorContext, id: string): RoleRecord {
  const record = context.store.roles.get(id);
  if (record === undefined) throw roleNotFound();
  return record;
}

function rules(context: EmulatorContext): AssignRules {
  return { duplicateAssign: context.options.duplicateAssign, unknownPermission: context.options.unknownPermission };
}

/** POST answers 201 with `{}`; DELETE answers 204 with an empty body (auth0-api-facts.md §1, §2, §4, §5). */
const created: Reply = { status: 201, body: {} };
const noContent: Reply = { status: 204 };

export function listUserPermissionsRoute(context: EmulatorContext, request: ApiRequest): Reply {
  // Paging is validated before the user is looked up: Auth0 validates the query before running the handler.
  const page = parsePageRequest(request.query, context.options.perPageAboveMaximum);
  const withRoles = context.options.userPermissionSources === "direct-and-role";
  const entries = listUserPermissions(context.store, user(context, request.id), withRoles, context.order);
  return { status: 200, body: paginate(entries, page, "permissions") };
}

export function assignUserPermissionsRoute(context: EmulatorContext, request: ApiRequest): Reply {
  const permissions = parsePermissionsPayload(request.body, context.options.maxPermissionsPerRequest);
  assignPermissions(context.store, user(context, request.id).direct, "user", permissions, rules(context));
  return created;
}

export function removeUserPermissionsRoute(context: EmulatorContext, request: ApiRequest): Reply {
  const permissions = parsePermissionsPayload(request.body, context.options.maxPermissionsPerRequest);
  removePermissions(context.store, user(context, request.id).direct, permissions);
  return noContent;
}

export function listRolePermissionsRoute(context: EmulatorContext, request: ApiRequest): Reply {
  const page = parsePageRequest(request.query, context.options.perPageAboveMaximum);
  const entries = listRolePermissions(context.store, role(context, request.id), context.order);
  return { status: 200, body: paginate(entries, page, "permissions") };
}

export function assignRolePermissionsRoute(context: EmulatorContext, request: ApiRequest): Reply {
  const permissions = parsePermissionsPayload(request.body, context.options.maxPermissionsPerRequest);
  assignPermissions(context.store, role(context, request.id).permissions, "role", permissions, rules(context));
  return created;
}

export function removeRolePermissionsRoute(context: EmulatorContext, request: ApiRequest): Reply {
  const permissions = parsePermissionsPayload(request.body, context.options.maxPermissionsPerRequest);
  removePermissions(context.store, role(context, request.id).permissions, permissions);
  return noContent;
}
