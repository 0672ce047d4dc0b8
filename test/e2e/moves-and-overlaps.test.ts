import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../src/emulator";
import { apiRequests, perm, rolePermissions, userPermissions } from "../helpers/tenant";
import { startE2eStack } from "./support/emulator-stack";
import type { E2eStack, ResourceSpec } from "./support/stack";

/**
 * Two resources of one program that manage the same permission, through the real Pulumi CLI:
 * a warning at `pulumi preview` naming both, and a permission moved from one resource to the
 * other in one `pulumi up` that is never lost (test/reliability/quick/moves.test.ts repeats the
 * move 30 times in the full run).
 */
let emulator: RunningEmulator;
let stack: E2eStack;

beforeAll(async () => {
  ({ emulator, stack } = await startE2eStack());
});
afterAll(async () => {
  await emulator?.stop();
});

const user = (name: string, ...names: string[]): ResourceSpec => ({
  kind: "user",
  name,
  id: "auth0|alice",
  permissions: names.map(perm),
});
const role = (name: string, ...names: string[]): ResourceSpec => ({
  kind: "role",
  name,
  id: "rol_support",
  permissions: names.map(perm),
});

describe("overlapping ownership", () => {
  it("is warned about at preview, naming both resources and the permission, with no request sent", async () => {
    await stack.setResources([
      user("grant-a", "read:reports", "export:reports"),
      user("grant-b", "read:reports"),
      role("remove-a", "delete:reports"),
      role("remove-b", "delete:reports", "write:reports"),
    ]);
    emulator.admin.clearRequests();
    const preview = await stack.preview();
    expect(preview.code, preview.output).toBe(0);
    const text = preview.output.replace(/\s+/g, " ");
    expect(text).toContain(
      "UserPermissions 'grant-a' and 'grant-b' both grant read:reports on https://api.example.com to user 'auth0|alice'.",
    );
    expect(text).toContain(
      "RolePermissionRemoval 'remove-a' and 'remove-b' both keep delete:reports on https://api.example.com off role 'rol_support'.",
    );
    expect(text).not.toContain("export:reports on https://api.example.com to user");
    expect(apiRequests(emulator)).toEqual([]);
  });

  it("is not warned about when each permission has one owner", async () => {
    await stack.setResources([user("grant-a", "read:reports"), user("grant-b", "export:reports")]);
    const preview = await stack.preview();
    expect(preview.code, preview.output).toBe(0);
    expect(preview.output).not.toMatch(/both (grant|keep)/);
  });
});

describe("a permission moved between two resources in one pulumi up", () => {
  it("stays granted to the user and off the role, and destroy restores the seed exactly", async () => {
    await stack.setResources([
      user("grant-a", "read:reports", "export:reports"),
      user("grant-b", "admin:reports"),
      role("remove-a", "delete:reports", "admin:reports"),
      role("remove-b", "write:reports"),
    ]);
    await stack.up();
    await stack.setResources([
      user("grant-a", "export:reports"),
      user("grant-b", "admin:reports", "read:reports"),
      role("remove-a", "admin:reports"),
      role("remove-b", "write:reports", "delete:reports"),
    ]);
    await stack.up();
    expect(userPermissions(emulator, "auth0|alice")).toEqual([
      "admin:reports",
      "export:reports",
      "read:reports",
      "unrelated:thing",
    ]);
    expect(rolePermissions(emulator, "rol_support")).toEqual(["read:reports"]);
    // A later up updates only the resources the permissions left, for another reason; the resources that took
    // them over are unchanged. Neither permission comes back to where it was.
    await stack.setResources([
      user("grant-a", "export:reports", "write:reports"),
      user("grant-b", "admin:reports", "read:reports"),
      role("remove-a", "admin:reports", "read:reports"),
      role("remove-b", "write:reports", "delete:reports"),
    ]);
    await stack.up();
    expect(userPermissions(emulator, "auth0|alice")).toEqual([
      "admin:reports",
      "export:reports",
      "read:reports",
      "unrelated:thing",
      "write:reports",
    ]);
    expect(rolePermissions(emulator, "rol_support")).toEqual([]);
    await stack.destroy();
    expect(userPermissions(emulator, "auth0|alice")).toEqual(["unrelated:thing"]);
    expect(rolePermissions(emulator, "rol_support")).toEqual(["delete:reports", "read:reports", "write:reports"]);
  });
});
