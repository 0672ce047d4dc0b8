import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../src/emulator";
import { E2E_SEED, perm, userPermissions } from "../helpers/tenant";
import { PROGRAM, credentialsEnv, configureForEmulator, configuredStack } from "./support/emulator-stack";
import { E2eStack } from "./support/stack";

let emulator: RunningEmulator;
beforeAll(async () => void (emulator = await startEmulator({ seed: E2E_SEED })));
afterAll(() => emulator?.stop());

describe("bad input fails pulumi preview, naming the property, and the tenant sees nothing", () => {
  it.each([
    [
      "an empty userId",
      { kind: "user", name: "g", id: "", permissions: [perm("read:reports")] },
      /userId must not be empty/,
    ],
    [
      "an empty permission list",
      { kind: "user", name: "g", id: "auth0|alice", permissions: [] },
      /permissions must list at least one permission/,
    ],
    [
      "snake_case fields",
      {
        kind: "user",
        name: "g",
        id: "auth0|alice",
        permissions: [{ resource_server_identifier: "x", permission_name: "y" }],
      },
      /permissions\[0\]\.resource_server_identifier is not a permission field/,
    ],
    [
      "a permission name with a space",
      { kind: "role", name: "r", id: "rol_support", permissions: [perm("read reports")] },
      /permissions\[0\]\.permissionName must not contain white space/,
    ],
    [
      "over 1000 permissions",
      {
        kind: "role",
        name: "r",
        id: "rol_support",
        permissions: Array.from({ length: 1001 }, (_, i) => perm(`p:${i}`)),
      },
      /1001 distinct permissions; Auth0 allows at most 1000/,
    ],
  ])("%s", async (_name, spec, message) => {
    const stack = await configuredStack(emulator);
    await stack.setResources([spec as never]);
    emulator.admin.clearRequests();
    const result = await stack.preview();
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(message);
    expect(emulator.admin.requests()).toEqual([]);
  });

  it("a missing auth0:domain", async () => {
    const stack = await E2eStack.create(PROGRAM, { caCertPath: emulator.caCertPath! });
    await stack.setResources([{ kind: "user", name: "g", id: "auth0|alice", permissions: [perm("read:reports")] }]);
    const result = await stack.preview();
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/auth0:domain is not set/);
  });
});

describe("credentials", () => {
  it("come from the environment when the stack config has none, and never reach the state", async () => {
    const stack = await E2eStack.create(PROGRAM, {
      caCertPath: emulator.caCertPath!,
      env: credentialsEnv(emulator),
    });
    await stack.setResources([
      { kind: "user", name: "env-grant", id: "auth0|bob", permissions: [perm("admin:reports")] },
    ]);
    await stack.up();
    expect(userPermissions(emulator, "auth0|bob")).toContain("admin:reports");
    const everything = [await stack.exportText(), stack.stateFileText(), ...stack.transcript].join("\n");
    expect(everything).not.toContain(emulator.clientSecret);
    expect(everything).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/);
    await stack.destroy();
    expect(userPermissions(emulator, "auth0|bob")).toEqual(["unrelated:thing"]);
  });

  it("from stack config are stored encrypted: the secret is nowhere in plaintext, __provider included", async () => {
    const stack = await configuredStack(emulator);
    await stack.setResources([
      { kind: "user", name: "cfg-grant", id: "auth0|bob", permissions: [perm("read:reports")] },
    ]);
    await stack.up();
    const exported = await stack.exportText();
    expect(exported).toContain('"__provider"');
    expect(exported).toContain("ciphertext");
    const everything = [exported, stack.stateFileText(), ...stack.transcript].join("\n");
    expect(everything).not.toContain(emulator.clientSecret);
    expect(everything).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/);
    await stack.destroy();
  });
});

describe("the tenant guard", () => {
  it("refuses, at preview, to act on resources recorded in another tenant, and touches neither", async () => {
    const other = await startEmulator({ seed: E2E_SEED });
    try {
      const stack = await configuredStack(emulator);
      await stack.setResources([
        { kind: "user", name: "guarded", id: "auth0|bob", permissions: [perm("export:reports")] },
      ]);
      await stack.up();
      await configureForEmulator(stack, other);
      await stack.setResources([
        { kind: "user", name: "guarded", id: "auth0|bob", permissions: [perm("read:reports")] },
      ]);
      emulator.admin.clearRequests();
      const preview = await stack.preview();
      expect(preview.code).not.toBe(0);
      expect(preview.output).toMatch(
        new RegExp(`recorded in tenant '${emulator.domain}', but the provider is configured for '${other.domain}'`),
      );
      const up = await stack.run(["up", "--yes", "--skip-preview"]);
      expect(up.code).not.toBe(0);
      expect(emulator.admin.requests()).toEqual([]);
      expect(other.admin.requests()).toEqual([]);
      expect(userPermissions(emulator, "auth0|bob")).toContain("export:reports");
      const destroy = await stack.run(["destroy", "--yes", "--skip-preview"]);
      expect(destroy.code).not.toBe(0);
      expect(destroy.output).toMatch(/Nothing was changed in either tenant/);
      expect(emulator.admin.requests()).toEqual([]);
      expect(other.admin.requests()).toEqual([]);
      // What the message says to do works: the old domain and credentials back, then up.
      await configureForEmulator(stack, emulator);
      await stack.up();
      expect(userPermissions(emulator, "auth0|bob")).toEqual(["read:reports", "unrelated:thing"]);
      await stack.destroy();
      expect(userPermissions(emulator, "auth0|bob")).toEqual(["unrelated:thing"]);
      expect(other.admin.requests()).toEqual([]);
    } finally {
      await other.stop();
    }
  });
});
