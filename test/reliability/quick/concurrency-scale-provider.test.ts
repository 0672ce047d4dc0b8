import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../../src/emulator";
import { emulatorTenant } from "../../provider/emulator-tenant";
import { SimulatedEngine, type Declared } from "../support/engine-sim";
import { record } from "../support/figures";
import {
  BIG_USER,
  CROWD_ROLE,
  CROWD_SEED,
  CROWD_USER,
  RESOURCES_PER_KIND,
  bigList,
  bigScope,
  crowdSpecs,
  expectedRemoved,
  grantScope,
  otherScope,
  permissionNames,
  range,
  roleScope,
  ExactCheck,
} from "../support/crowd";
import { SecretScan, describeFindings, registerSecret } from "../support/secrets";
import type { ResourceSpec } from "../../e2e/support/stack";

/**
 * Concurrency and scale at provider level, every step run concurrently as the engine does (the
 * simulated engine over the real handlers, against the emulator over HTTPS, all resources sharing
 * one client, token and pacer). The same figures through the real CLI are in
 * test/reliability/concurrency-scale.test.ts.
 */
let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await emulatorTenant({ seed: CROWD_SEED });
  registerSecret(emulator.clientSecret);
});
afterAll(() => emulator.stop());

const declared = (spec: ResourceSpec): Declared =>
  spec.kind === "user"
    ? { name: spec.name, kind: "UserPermissions", inputs: { userId: spec.id, permissions: spec.permissions } }
    : { name: spec.name, kind: "RolePermissionRemoval", inputs: { roleId: spec.id, permissions: spec.permissions } };

const names = (holder: "users" | "roles", id: string) => permissionNames(emulator, holder, id);
const check = new ExactCheck();

describe("concurrency and scale through the provider", () => {
  it("100 grants to one user and 100 removals from one role, all at once, are exact", async () => {
    const engine = new SimulatedEngine();
    const specs = crowdSpecs();
    await engine.up(specs.map(declared));
    check.count = 0;
    check.equal(
      names("users", CROWD_USER),
      [...range(3 * RESOURCES_PER_KIND, grantScope), ...range(50, otherScope)].sort(),
    );
    check.equal(
      names("roles", CROWD_ROLE),
      range(100, (i) => roleScope(200 + i)),
    );
    for (let j = 0; j < RESOURCES_PER_KIND; j++) {
      const outputs = engine.state.get(`crowd-removal-${j}`)!.outputs as {
        removedPermissions: { permissionName: string }[];
      };
      check.equal(
        outputs.removedPermissions.map((p) => p.permissionName),
        expectedRemoved(j),
      );
    }
    await engine.refresh();
    expect(engine.steps.read).toBe(2 * RESOURCES_PER_KIND);
    for (const [name, resource] of engine.state) {
      const listed = crowdSpecs().find((s) => s.name === name)!.permissions as { permissionName: string }[];
      const refreshed = (resource.outputs["permissions"] as { permissionName: string }[]).map((p) => p.permissionName);
      // After refresh a grant lists what the user has, a removal what is still off the role: all of it.
      check.equal(refreshed, listed.map((p) => p.permissionName).sort());
    }
    await engine.destroy();
    check.equal(names("users", CROWD_USER), range(50, otherScope));
    check.equal(names("roles", CROWD_ROLE), range(300, roleScope));
    record(
      "Concurrency",
      "provider level: resources in one deployment (100 on one user, 100 on one role)",
      specs.length,
    );
    record("Concurrency", "provider level: permissions compared exactly after up, refresh and destroy", check.count);
  });

  it("a user at the cap of 1000: create, refresh (10 pages), update one, destroy, exact at every step", async () => {
    const engine = new SimulatedEngine();
    const grant = (permissions: unknown[]): Declared[] => [
      { name: "big", kind: "UserPermissions", inputs: { userId: BIG_USER, permissions } },
    ];
    emulator.admin.clearRequests();
    await engine.up(grant(bigList()));
    check.count = 0;
    check.equal(names("users", BIG_USER), range(1000, bigScope));
    expect(emulator.admin.requests().filter((r) => r.method === "POST" && r.path.includes("/users/"))).toHaveLength(10);

    emulator.admin.clearRequests();
    await engine.refresh();
    const pages = emulator.admin
      .requests()
      .filter((r) => r.method === "GET")
      .map((r) => r.query["page"]);
    expect(pages).toEqual(range(10, String));
    check.equal(
      (engine.state.get("big")!.outputs["permissions"] as { permissionName: string }[]).map((p) => p.permissionName),
      range(1000, bigScope),
    );

    await engine.up(grant([...bigList(0, 999), ...bigList(1000, 1)]));
    check.equal(names("users", BIG_USER), [...range(999, bigScope), bigScope(1000)]);

    await engine.destroy();
    check.equal(names("users", BIG_USER), []);
    record(
      "Scale",
      "provider level: permissions compared exactly after create, refresh, update and destroy",
      check.count,
    );
    record("Scale", "provider level: pages read by one refresh", pages.length, "last");
  });

  it("no secret in the request log", () => {
    const scan = new SecretScan();
    scan.add("emulator request log", JSON.stringify(emulator.admin.requests()));
    const findings = scan.finish();
    expect(findings, describeFindings(findings)).toEqual([]);
  });
});
