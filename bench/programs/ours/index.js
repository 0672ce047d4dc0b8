// Benchmark stack with this library: `bench:count` resources of `bench:kind`, each with
// `bench:perms` permissions (see bench/lib/workload.mjs). Credentials come from AUTH0_* env vars.
"use strict";
const pulumi = require("@pulumi/pulumi");
const { RolePermissionRemoval, UserPermissions } = require("pulumi-auth0-permissions");

const config = new pulumi.Config("bench");
const kind = config.require("kind");
const count = config.requireNumber("count");
const perms = config.requireNumber("perms");
const api = config.require("api");
const pad = (n, w) => String(n).padStart(w, "0");
const permissions = Array.from({ length: perms }, (_, j) => ({
  resourceServerIdentifier: api,
  permissionName: `perm:${pad(j, 3)}`,
}));

for (let i = 0; i < count; i++) {
  if (kind === "user") {
    new UserPermissions(`grant-${i}`, { userId: `auth0|bench-${pad(i, 4)}`, permissions });
  } else {
    new RolePermissionRemoval(`removal-${i}`, { roleId: `rol_bench${pad(i, 4)}`, permissions });
  }
}
