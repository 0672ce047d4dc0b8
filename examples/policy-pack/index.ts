// An example policy pack: `pulumi preview --policy-pack examples/policy-pack` (after `npm install` here).
import { PolicyPack } from "@pulumi/policy";
import { maxPermissionsPerUser, noDirectGrant, removalsRestoreOnDelete } from "pulumi-auth0-permissions/policy";

new PolicyPack("auth0-permissions-guardrails", {
  policies: [
    // Destructive and administrative scopes go through reviewed roles, never straight to a user.
    noDirectGrant({ permissions: ["delete:*", /^admin:/] }),
    // Direct grants are exceptions; a user with dozens of them needs a role instead.
    maxPermissionsPerUser({ max: 20 }),
    // A removal that forgets what it took is a permanent change hidden in a temporary one.
    removalsRestoreOnDelete(),
  ],
});
