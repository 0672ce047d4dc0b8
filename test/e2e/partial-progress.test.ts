import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../src/emulator";
import { E2E_SEED, perm, rolePermissions, userPermissions } from "../helpers/tenant";
import { configuredStack } from "./support/emulator-stack";

let emulator: RunningEmulator;
beforeAll(async () => void (emulator = await startEmulator({ seed: E2E_SEED })));
afterAll(() => emulator?.stop());

describe("a deployment that fails midway", () => {
  it("keeps what it did in state, so nothing granted or removed is ever lost track of", async () => {
    const stack = await configuredStack(emulator, { tuning: { batchSize: "1" } });
    // The second batch names a permission the API does not define: Auth0 refuses it after the first landed.
    await stack.setResources([
      { kind: "user", name: "partial", id: "auth0|alice", permissions: [perm("admin:reports"), perm("zzz:undefined")] },
    ]);
    const failed = await stack.run(["up", "--yes", "--skip-preview"]);
    expect(failed.code).not.toBe(0);
    expect(failed.output).toMatch(/run `pulumi up` again to finish/);
    expect(userPermissions(emulator, "auth0|alice")).toEqual(["admin:reports", "unrelated:thing"]);
    const state = JSON.parse(await stack.exportText()) as {
      deployment: { resources: { urn: string; outputs?: { permissions?: unknown } }[] };
    };
    const recorded = state.deployment.resources.find((r) => r.urn.endsWith("::partial"));
    expect(recorded?.outputs?.permissions).toEqual([perm("admin:reports")]);

    // The grant that landed is managed: destroying the stack revokes it.
    await stack.destroy();
    expect(userPermissions(emulator, "auth0|alice")).toEqual(["unrelated:thing"]);
  });

  it("a role removal that fails midway still restores everything it removed", async () => {
    const stack = await configuredStack(emulator, { tuning: { batchSize: "1" } });
    await stack.setResources([
      {
        kind: "role",
        name: "removal",
        id: "rol_support",
        permissions: [perm("delete:reports"), perm("write:reports")],
      },
    ]);
    // Batches go in canonical order: delete:reports first; the write:reports DELETE then fails for good.
    emulator.admin.addFault({ match: { method: "DELETE", path: "/roles/" }, times: 1, delay_ms: 0 });
    emulator.admin.addFault({
      match: { method: "DELETE", path: "/roles/" },
      times: 50,
      response: { status: 400, body: { statusCode: 400, error: "Bad Request", message: "Rejected by test" } },
    });
    const failed = await stack.run(["up", "--yes", "--skip-preview"]);
    emulator.admin.clearFaults();
    expect(failed.code).not.toBe(0);
    expect(rolePermissions(emulator, "rol_support")).toEqual(["read:reports", "write:reports"]);

    await stack.up();
    expect(rolePermissions(emulator, "rol_support")).toEqual(["read:reports"]);
    await stack.destroy();
    expect(rolePermissions(emulator, "rol_support")).toEqual(["delete:reports", "read:reports", "write:reports"]);
  });
});
