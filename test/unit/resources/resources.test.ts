import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { RolePermissionRemoval, UserPermissions } from "../../../src";
import { useRegistrationMocks } from "../../helpers/pulumi-mocks";

const registered = useRegistrationMocks();

describe("the resource classes", () => {
  it("register under permanent type tokens with the declared inputs and a serialized provider", async () => {
    const permissions = [{ resourceServerIdentifier: "https://api", permissionName: "read:x" }];
    const user = new UserPermissions("u", { userId: "auth0|a", permissions });
    const role = new RolePermissionRemoval("r", { roleId: "rol_1", permissions, restoreOnDelete: false });
    await new Promise<void>((resolve) => pulumi.all([user.urn, role.urn]).apply(() => resolve()));
    const byName = Object.fromEntries(registered.map((r) => [r.name, r]));
    expect(byName["u"]?.type).toBe("pulumi-nodejs:dynamic/auth0:UserPermissions");
    expect(byName["r"]?.type).toBe("pulumi-nodejs:dynamic/auth0:RolePermissionRemoval");
    expect(byName["u"]?.inputs).toMatchObject({ userId: "auth0|a", permissions });
    expect(byName["r"]?.inputs).toMatchObject({ roleId: "rol_1", restoreOnDelete: false });
    expect(String(byName["u"]?.inputs["__provider"])).toContain('require("pulumi-auth0-permissions/provider")');
  });
});

describe("argument types", () => {
  it("accept Inputs and reject a permission without resourceServerIdentifier", async () => {
    const typed = (): void => {
      new UserPermissions("typed", {
        userId: pulumi.output("auth0|a"),
        permissions: pulumi.output([
          { resourceServerIdentifier: pulumi.output("https://api"), permissionName: "read:x" },
        ]),
      });
      // @ts-expect-error: resourceServerIdentifier is required
      new UserPermissions("bad", { userId: "auth0|a", permissions: [{ permissionName: "read:x" }] });
    };
    expect(typeof typed).toBe("function");
  });
});
