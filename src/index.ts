/**
 * pulumi-auth0-permissions: Pulumi dynamic resources for Auth0 API permissions.
 *
 * Only what a program can use is exported. The library's errors (src/errors.ts) are thrown in the
 * dynamic provider's process, and reach the program only as the engine's messages: a program cannot
 * catch them, so they are not exported.
 */
export { UserPermissions, type UserPermissionsArgs, type PermissionArgs } from "./resources/user-permissions";
export { RolePermissionRemoval, type RolePermissionRemovalArgs } from "./resources/role-permission-removal";
export type { Permission } from "./permissions/permission";
export { DEFAULT_TUNING, CONFIG_NAMESPACE } from "./config/defaults";
