import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../src/emulator";
import type { RolePermissionRemovalState, UserPermissionsState } from "../../src/provider/state";
import { emulatorTenant, provider } from "../provider/emulator-tenant";
import { API, perm as p, wire as w } from "../helpers/tenant";

const roles = provider("RolePermissionRemoval");
const users = provider("UserPermissions");

// The library itself, against the emulator's 2026 answers: organization roles, token answers without a
// `scope` member, role-sourced user permissions, and a shuffled list order.
const scopes = Array.from({ length: 150 }, (_, i) => `scope:${String(i).padStart(3, "0")}`);

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await emulatorTenant({
    permissionOrder: "shuffled",
    seed: {
      resource_servers: [{ identifier: API, scopes }],
      roles: [
        {
          id: "rol_org",
          type: "organization",
          owner_id: "org_acme",
          permissions: scopes.slice(0, 120).map(w),
        },
      ],
      users: [{ user_id: "auth0|member", permissions: scopes.slice(100, 130).map(w), roles: ["rol_org"] }],
    },
  });
});
afterAll(() => emulator.stop());

describe("the library against the emulator's 2026 answers", () => {
  it("RolePermissionRemoval removes and restores permissions of an organization role", async () => {
    const created = await roles.create({
      roleId: "rol_org",
      permissions: [p("scope:005"), p("scope:140")],
      restoreOnDelete: true, // as check returns it: the engine never creates without it
    });
    const state = created.outs as RolePermissionRemovalState;
    expect(state.removedPermissions).toEqual([p("scope:005")]);
    expect(emulator.admin.state().roles[0]?.permissions).toHaveLength(119);
    await roles.delete("rol_org", state);
    expect(emulator.admin.state().roles[0]?.permissions).toHaveLength(120);
    expect(emulator.admin.state().roles[0]).toMatchObject({ type: "organization", owner_id: "org_acme" });
  });

  it("UserPermissions reads only DIRECT grants, over pages in shuffled order, from a user whose role holds permissions", async () => {
    const listed = [p("scope:000"), p("scope:110"), p("scope:129")];
    const state = { schemaVersion: 1, domain: emulator.domain, userId: "auth0|member", permissions: listed };
    const read = await users.read("auth0|member", state satisfies UserPermissionsState);
    // scope:000 is held through the role only: not a direct grant, so it is drift.
    expect(read.props.permissions).toEqual(listed);
    expect(read.props.driftedPermissions).toEqual([p("scope:000")]);
  });
});
