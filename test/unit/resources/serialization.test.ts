import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { forwardingProvider } from "../../../src/resources/forwarding-provider";

// Loads serialized text the way the engine's dynamic-provider host does.
const requireFromString: (code: string) => {
  handler: () => pulumi.dynamic.ResourceProvider;
} = require("require-from-string");

describe("the serialized provider", () => {
  it("is a tiny forwarder that requires the installed package and captures nothing but the kind", async () => {
    process.env["AUTH0_CLIENT_SECRET"] = "env-secret-never-captured";
    const provider = forwardingProvider("UserPermissions");
    const serialized = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
    expect(serialized.containsSecrets).toBe(false);
    expect(serialized.text.length).toBeLessThan(4_000);
    expect(serialized.text).toContain('require("pulumi-auth0-permissions/provider").handlers(kind).create(inputs)');
    expect(serialized.text).toContain('kind: "UserPermissions"');
    expect(serialized.text).not.toContain("env-secret-never-captured");
    expect(serialized.text).not.toMatch(/axios|clientSecret|access_token/);
    delete process.env["AUTH0_CLIENT_SECRET"];
  });

  it("runs after a round trip through text, forwarding to the package's provider runtime", async () => {
    const provider = forwardingProvider("RolePermissionRemoval");
    const serialized = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
    const loaded = requireFromString(serialized.text).handler();
    await loaded.configure!({
      config: {
        get: (key: string) => ({ "auth0:domain": "t.auth0.com", "auth0:apiToken": "x" })[key],
        require: () => "",
      } as never,
    });
    const result = await loaded.check!({}, { roleId: "", permissions: [] });
    expect(result.failures?.map((f) => f.reason.split(" ")[0])).toEqual(["roleId", "permissions"]); // each reason names its property
  });
});
