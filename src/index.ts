/**
 * pulumi-auth0-permissions: Pulumi dynamic resources for Auth0 API permissions.
 */
export { UserPermissions, type UserPermissionsArgs, type PermissionArgs } from "./resources/user-permissions";
export { RolePermissionRemoval, type RolePermissionRemovalArgs } from "./resources/role-permission-removal";
export type { Permission } from "./permissions/permission";
export {
  Auth0PermissionsError,
  Auth0ApiError,
  Auth0NetworkError,
  Auth0TokenError,
  ConfigurationError,
  WrongTenantError,
} from "./errors";
export { DEFAULT_TUNING, CONFIG_NAMESPACE } from "./config/defaults";
