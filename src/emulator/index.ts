/**
 * `pulumi-auth0-permissions/emulator`: a local Auth0 Management API emulator for the permission
 * endpoints, for tests and CI without a tenant. See docs/emulator.md and docs/emulator-fidelity.md.
 */
export { startEmulator, type RunningEmulator } from "./server";
export type { EmulatorAdmin } from "./admin";
export { rateLimitProfiles, managementScopes, type EmulatorOptions, type RateLimitSettings } from "./options";
export { SeedError } from "./seed";
export { FaultError, maximumDelayMs } from "./faults";
export { clientAssertionAlgorithms, clientAssertionType, maximumAssertionLifetimeSeconds } from "./client-assertion";
export type {
  FaultSpec,
  JsonWebKeySet,
  PermissionReference,
  RateLimitProfileName,
  RateLimitUpdate,
  RequestLogEntry,
  ScopeDefinition,
  SeedClient,
  SeedDocument,
  SeedResourceServer,
  SeedRole,
  SeedUser,
  TenantState,
} from "./types";
