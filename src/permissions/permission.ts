/** One API permission: a scope (`permissionName`) of an Auth0 API (`resourceServerIdentifier`, the API's audience). */
export interface Permission {
  readonly resourceServerIdentifier: string;
  readonly permissionName: string;
}

/**
 * A key that identifies a permission exactly as Auth0 does: both parts compared as exact,
 * case-sensitive strings. JSON keeps the key unambiguous whatever characters the parts hold.
 */
export function permissionKey(permission: Permission): string {
  return JSON.stringify([permission.resourceServerIdentifier, permission.permissionName]);
}

/** Stable, locale-independent order: by API identifier, then by permission name (UTF-16 code units). */
export function comparePermissions(a: Permission, b: Permission): number {
  return (
    compareStrings(a.resourceServerIdentifier, b.resourceServerIdentifier) ||
    compareStrings(a.permissionName, b.permissionName)
  );
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `read:x on https://api` — the form used in messages. */
export function describePermission(permission: Permission): string {
  return `${permission.permissionName} on ${permission.resourceServerIdentifier}`;
}

/** Auth0's wire shape (snake_case), used only by the client layer. */
export interface WirePermission {
  resource_server_identifier: string;
  permission_name: string;
}

export function toWire(permission: Permission): WirePermission {
  return {
    resource_server_identifier: permission.resourceServerIdentifier,
    permission_name: permission.permissionName,
  };
}

export function fromWire(wire: WirePermission): Permission {
  return { resourceServerIdentifier: wire.resource_server_identifier, permissionName: wire.permission_name };
}
