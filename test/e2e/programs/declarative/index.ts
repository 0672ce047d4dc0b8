// The end-to-end test program: its resources are declared in the stack config value `resources`,
// so a test changes the program with `pulumi config set` instead of editing code.
import * as pulumi from "@pulumi/pulumi";
import { RolePermissionRemoval, UserPermissions } from "pulumi-auth0-permissions";

interface Spec {
  kind: "user" | "role";
  name: string;
  id: string;
  permissions: { resourceServerIdentifier: string; permissionName: string }[];
  restoreOnDelete?: boolean;
}

const specs = new pulumi.Config().requireObject<Spec[]>("resources");
const outputs: Record<string, pulumi.Output<unknown>> = {};
for (const spec of specs) {
  if (spec.kind === "user") {
    const resource = new UserPermissions(spec.name, { userId: spec.id, permissions: spec.permissions });
    outputs[spec.name] = pulumi.output({ permissions: resource.permissions, domain: resource.domain });
  } else {
    const resource = new RolePermissionRemoval(spec.name, {
      roleId: spec.id,
      permissions: spec.permissions,
      ...(spec.restoreOnDelete === undefined ? {} : { restoreOnDelete: spec.restoreOnDelete }),
    });
    outputs[spec.name] = pulumi.output({ removed: resource.removedPermissions, domain: resource.domain });
  }
}
export const resources = outputs;
