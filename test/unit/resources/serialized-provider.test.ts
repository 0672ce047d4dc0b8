import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { forwardingProvider } from "../../../src/resources/forwarding-provider";
import { requirableByName, serializedProvider } from "../../../src/resources/serialized-provider";

const FILE = "pulumi-auth0-permissions/dist/resources/forwarders/user-permissions.js";

describe("which form of the provider goes into state", () => {
  it.each([
    ["a flat npm install", "/p", `/p/node_modules/${FILE}`, true],
    ["a program in a subfolder of the project", "/p/infra", `/p/node_modules/${FILE}`, true],
    ["Yarn Plug'n'Play's zip cache", "/p", `/p/.yarn/cache/pkg.zip/node_modules/${FILE}`, true],
    ["a copy nested under another package", "/p", `/p/node_modules/shared-infra/node_modules/${FILE}`, false],
    ["a pnpm store", "/p", `/p/node_modules/.pnpm/pulumi-auth0-permissions@1.0.0/node_modules/${FILE}`, false],
    ["a linked checkout", "/p", "/src/pulumi-auth0-permissions/dist/resources/forwarders/user-permissions.js", false],
  ])("%s: by export name = %s", (_layout, cwd, file, expected) => {
    expect(requirableByName(file, cwd)).toBe(expected);
  });

  it("hands Pulumi the installed module where it can be named, and a fresh forwarder (serialized as text) elsewhere", () => {
    const installed = forwardingProvider("UserPermissions");
    expect(serializedProvider("UserPermissions", installed, `/p/node_modules/${FILE}`, "/p")).toBe(installed);
    const nested = serializedProvider("UserPermissions", installed, `/p/node_modules/x/node_modules/${FILE}`, "/p");
    expect(nested).not.toBe(installed);
    expect(Object.keys(nested)).toEqual(Object.keys(installed));
  });

  it("package.json exports each forwarder by name, listed after its dist path (Pulumi names a file by the last export listed)", () => {
    const manifest = JSON.parse(readFileSync(join(__dirname, "../../../package.json"), "utf8")) as {
      exports: Record<string, unknown>;
    };
    const keys = Object.keys(manifest.exports);
    for (const kind of ["user-permissions", "role-permission-removal"]) {
      const alias = keys.indexOf(`./dist/resources/forwarders/${kind}.js`);
      const name = keys.indexOf(`./provider/${kind}`);
      expect(alias).toBeGreaterThanOrEqual(0);
      expect(name).toBeGreaterThan(alias);
    }
  });
});
