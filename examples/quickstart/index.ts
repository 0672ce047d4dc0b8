// The quick-start program: grant a user two permissions directly, and keep one permission off a role.
// Credentials come from stack config (auth0:domain, auth0:clientId, auth0:clientSecret) or AUTH0_* variables.
import * as pulumi from "@pulumi/pulumi";
import { RolePermissionRemoval, UserPermissions } from "pulumi-auth0-permissions";

const config = new pulumi.Config();
const api = config.require("apiIdentifier"); // e.g. https://api.example.com
const userId = config.require("userId"); // e.g. auth0|64b1f0c2e4a1
const roleId = config.require("roleId"); // e.g. rol_Ab12Cd34Ef56Gh78

const grants = new UserPermissions("analyst-reports", {
  userId,
  permissions: [
    { resourceServerIdentifier: api, permissionName: "read:reports" },
    { resourceServerIdentifier: api, permissionName: "export:reports" },
  ],
});

const removal = new RolePermissionRemoval("support-cannot-delete", {
  roleId,
  permissions: [{ resourceServerIdentifier: api, permissionName: "delete:reports" }],
  restoreOnDelete: true,
});

export const grantedToUser = grants.permissions;
export const removedFromRole = removal.removedPermissions;
export const tenant = grants.domain;
