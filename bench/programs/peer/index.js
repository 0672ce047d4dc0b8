// The same benchmark stack with the official @pulumi/auth0 resources (see bench/lib/workload.mjs).
// user: auth0.UserPermissions with the same permissions. role: auth0.RolePermissions holding the
// permissions that must REMAIN on the role (it is authoritative; there is no removal resource).
"use strict";
const auth0 = require("@pulumi/auth0");
const pulumi = require("@pulumi/pulumi");

const config = new pulumi.Config("bench");
const kind = config.require("kind");
const count = config.requireNumber("count");
const perms = config.requireNumber("perms");
const api = config.require("api");
const pad = (n, w) => String(n).padStart(w, "0");
const permission = (j) => ({ resourceServerIdentifier: api, name: `perm:${pad(j, 3)}` });

for (let i = 0; i < count; i++) {
  if (kind === "user") {
    const permissions = Array.from({ length: perms }, (_, j) => permission(j));
    new auth0.UserPermissions(`grant-${i}`, { userId: `auth0|bench-${pad(i, 4)}`, permissions });
  } else {
    // The role holds perm:000 .. perm:(2m-1); the first m come off, so the last m remain.
    const permissions = Array.from({ length: perms }, (_, j) => permission(perms + j));
    new auth0.RolePermissions(`removal-${i}`, { roleId: `rol_bench${pad(i, 4)}`, permissions });
  }
}
