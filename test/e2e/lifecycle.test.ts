import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../src/emulator";
import {
  apiRequests,
  isToken,
  isWrite,
  perm,
  rolePermissions,
  setRolePermissions,
  setUserPermissions,
  summarize,
  userPermissions,
} from "../helpers/tenant";
import { startE2eStack } from "./support/emulator-stack";
import type { E2eStack, ResourceSpec } from "./support/stack";

const aliceGrant: ResourceSpec = {
  kind: "user",
  name: "alice-grant",
  id: "auth0|alice",
  permissions: [perm("read:reports"), perm("export:reports")],
};
const supportRemoval: ResourceSpec = {
  kind: "role",
  name: "support-removal",
  id: "rol_support",
  permissions: [perm("delete:reports"), perm("admin:reports")],
};

let emulator: RunningEmulator;
let stack: E2eStack;

beforeAll(async () => {
  ({ emulator, stack } = await startE2eStack());
  await stack.setResources([aliceGrant, supportRemoval]);
});

afterAll(async () => {
  await emulator?.stop();
});

describe("the lifecycle through the real Pulumi CLI", () => {
  it("preview on a new stack shows the creates and sends nothing to the tenant", async () => {
    const result = await stack.preview();
    expect(result.code, result.output).toBe(0);
    expect(result.stdout).toMatch(
      /\+ pulumi-nodejs:dynamic\/auth0:UserPermissions: \(create\)\s+\[urn=\S+::alice-grant\]/,
    );
    expect(result.stdout).toMatch(
      /\+ pulumi-nodejs:dynamic\/auth0:RolePermissionRemoval: \(create\)\s+\[urn=\S+::support-removal\]/,
    );
    // The removal's plan, the record saved before anything is removed, shows under the same name.
    expect(result.stdout).toMatch(
      /\+ pulumi-nodejs:dynamic\/auth0:RolePermissionRemovalPlan: \(create\)\s+\[urn=\S+::support-removal\]/,
    );
    expect(result.stdout).toMatch(/\+ 4 to create/);
    expect(emulator.admin.requests()).toEqual([]);
  });

  it("up grants and removes, with one token request and the minimum writes", async () => {
    emulator.admin.clearRequests();
    await stack.up();
    expect(userPermissions(emulator, "auth0|alice")).toEqual(["export:reports", "read:reports", "unrelated:thing"]);
    expect(rolePermissions(emulator, "rol_support")).toEqual(["read:reports", "write:reports"]);
    const log = emulator.admin.requests();
    expect(log.filter(isToken)).toHaveLength(1);
    expect(summarize(log.filter(isWrite)).sort()).toEqual([
      "DELETE /api/v2/roles/rol_support/permissions 204",
      "POST /api/v2/users/auth0%7Calice/permissions 201",
    ]);
    // The role removal reads the role once to record what it actually removed; the grant reads nothing.
    expect(summarize(apiRequests(emulator).filter((r) => r.method === "GET"))).toEqual([
      "GET /api/v2/roles/rol_support/permissions 200",
    ]);
    const outputs = JSON.parse((await stack.mustRun(["stack", "output", "--json", "--show-secrets"])).stdout);
    expect(outputs.resources["support-removal"].removed).toEqual([perm("delete:reports")]);
    expect(outputs.resources["alice-grant"].domain).toBe(emulator.domain);
  });

  it("a second preview and a refresh find nothing to change", async () => {
    const preview = await stack.preview("--expect-no-changes");
    expect(preview.code, preview.output).toBe(0);
    const refresh = await stack.refresh("--expect-no-changes");
    expect(refresh.code, refresh.output).toBe(0);
  });

  it("refresh shows a permission revoked out of band, and up grants it again", async () => {
    setUserPermissions(emulator, "auth0|alice", ["export:reports", "unrelated:thing"]);
    const refresh = await stack.refresh();
    expect(refresh.code, refresh.output).toBe(0);
    expect(refresh.stdout).toMatch(/alice-grant/);
    expect(refresh.stdout).toMatch(/1 (updated|changed)|~ 1/);
    emulator.admin.clearRequests();
    await stack.up();
    expect(userPermissions(emulator, "auth0|alice")).toEqual(["export:reports", "read:reports", "unrelated:thing"]);
    expect(summarize(emulator.admin.requests().filter(isWrite))).toEqual([
      "POST /api/v2/users/auth0%7Calice/permissions 201",
    ]);
  });

  it("a removed permission put back on the role out of band is removed again", async () => {
    setRolePermissions(emulator, "rol_support", ["delete:reports", "read:reports", "write:reports"]);
    await stack.up("--refresh");
    expect(rolePermissions(emulator, "rol_support")).toEqual(["read:reports", "write:reports"]);
  });

  it("a changed list is an in-place update with exactly the difference", async () => {
    emulator.admin.clearRequests();
    await stack.setResources([
      { ...aliceGrant, permissions: [perm("read:reports"), perm("write:reports")] },
      supportRemoval,
    ]);
    const result = await stack.up();
    expect(result.stdout).not.toMatch(/replaced/);
    expect(result.stdout).toMatch(/1 updated/);
    expect(userPermissions(emulator, "auth0|alice")).toEqual(["read:reports", "unrelated:thing", "write:reports"]);
    expect(summarize(emulator.admin.requests().filter(isWrite))).toEqual([
      "DELETE /api/v2/users/auth0%7Calice/permissions 204",
      "POST /api/v2/users/auth0%7Calice/permissions 201",
    ]);
  });

  it("pulumi up --replace leaves the user with every declared permission", async () => {
    const urn = await stack.urnOf("alice-grant");
    const result = await stack.up("--replace", urn);
    expect(result.stdout).toMatch(/1 replaced/);
    expect(userPermissions(emulator, "auth0|alice")).toEqual(["read:reports", "unrelated:thing", "write:reports"]);
  });

  it("a changed userId replaces the resource: the old user is revoked and the new one granted", async () => {
    await stack.setResources([
      { ...aliceGrant, id: "auth0|bob", permissions: [perm("read:reports"), perm("write:reports")] },
      supportRemoval,
    ]);
    const result = await stack.up();
    expect(result.stdout).toMatch(/1 replaced/);
    expect(userPermissions(emulator, "auth0|alice")).toEqual(["unrelated:thing"]);
    expect(userPermissions(emulator, "auth0|bob")).toEqual(["read:reports", "unrelated:thing", "write:reports"]);
  });

  it("destroy revokes the grants and restores exactly what was removed; unmanaged permissions are untouched", async () => {
    await stack.destroy();
    expect(userPermissions(emulator, "auth0|alice")).toEqual(["unrelated:thing"]);
    expect(userPermissions(emulator, "auth0|bob")).toEqual(["unrelated:thing"]);
    expect(rolePermissions(emulator, "rol_support")).toEqual(["delete:reports", "read:reports", "write:reports"]);
  });

  it("state, stack export and command output never hold the client secret or a token", async () => {
    const everything = [await stack.exportText(), stack.stateFileText(), ...stack.transcript].join("\n");
    expect(everything).not.toContain(emulator.clientSecret);
    expect(everything).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}|Bearer\s+\S{10,}/);
  });
});
