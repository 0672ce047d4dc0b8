import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../src/emulator";
import type { E2eStack, RunResult } from "../e2e/support/stack";
import { configuredStack } from "../e2e/support/emulator-stack";
import { watchProviderMemory } from "./support/cli";
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
} from "./support/crowd";
import { record } from "./support/figures";
import { SecretScan, describeFindings, registerSecret } from "./support/secrets";

/**
 * Concurrency and scale through the real CLI on the packed package (full run only):
 * - 100 UserPermissions on one user and 100 RolePermissionRemoval on one role in one deployment;
 * - one user at Auth0's cap of 1000 direct permissions: create, refresh (10 pages), update one,
 *   destroy, exact at every step, with the dynamic provider process's peak memory measured.
 */
let emulator: RunningEmulator;
const scan = new SecretScan();
const stacks: E2eStack[] = [];
let peakKb = 0;
beforeAll(async () => {
  emulator = await startEmulator({ seed: CROWD_SEED });
  registerSecret(emulator.clientSecret);
});
afterAll(() => emulator?.stop());

const names = (holder: "users" | "roles", id: string) => permissionNames(emulator, holder, id);
const check = new ExactCheck();

/** Runs a pulumi command while watching the dynamic provider's memory; fails on a non-zero exit. */
async function measured(stack: E2eStack, args: string[]): Promise<RunResult> {
  const started = stack.start(args);
  const watch = watchProviderMemory(started.pid);
  const result = await started.result;
  const memory = watch.stop();
  peakKb = Math.max(peakKb, memory.peakKb);
  expect(result.code, result.output).toBe(0);
  return result;
}

describe("concurrency through the real CLI", () => {
  it("100 grants to one user and 100 removals from one role in one deployment are exact", async () => {
    const stack = await configuredStack(emulator);
    stacks.push(stack);
    const specs = crowdSpecs();
    await stack.setResources(specs);
    check.count = 0;
    emulator.admin.clearRequests();
    const up = await measured(stack, ["up", "--yes", "--skip-preview"]);
    expect(up.stdout).toMatch(/301 created/);
    check.equal(
      names("users", CROWD_USER),
      [...range(3 * RESOURCES_PER_KIND, grantScope), ...range(50, otherScope)].sort(),
    );
    check.equal(
      names("roles", CROWD_ROLE),
      range(100, (i) => roleScope(200 + i)),
    );
    const writes = emulator.admin.requests().filter((r) => r.method !== "GET" && r.path.startsWith("/api/v2/"));
    expect(writes.filter((r) => r.status >= 300)).toEqual([]);
    expect(writes).toHaveLength(2 * RESOURCES_PER_KIND);

    const outputs = JSON.parse((await stack.mustRun(["stack", "output", "--json"])).stdout) as {
      resources: Record<string, { removed?: { permissionName: string }[] }>;
    };
    for (let j = 0; j < RESOURCES_PER_KIND; j++)
      check.equal(
        outputs.resources[`crowd-removal-${j}`]!.removed!.map((p) => p.permissionName),
        expectedRemoved(j),
      );

    const refresh = await stack.refresh("--expect-no-changes");
    expect(refresh.code, refresh.output).toBe(0);
    await measured(stack, ["destroy", "--yes", "--skip-preview"]);
    check.equal(names("users", CROWD_USER), range(50, otherScope));
    check.equal(names("roles", CROWD_ROLE), range(300, roleScope));
    record(
      "Concurrency",
      "real CLI: resources in one deployment (100 UserPermissions on one user, 100 RolePermissionRemoval on one role)",
      specs.length,
    );
    record("Concurrency", "real CLI: writes in the deployment, none failed", writes.length);
    record(
      "Concurrency",
      "real CLI: permissions compared exactly after up (tenant and each removal's record) and destroy",
      check.count,
    );
  });
});

describe("scale through the real CLI", () => {
  it("a user at the cap of 1000: create, refresh (10 pages), update one, destroy, exact at every step", async () => {
    const stack = await configuredStack(emulator);
    stacks.push(stack);
    check.count = 0;
    const steps: string[] = [];
    await stack.setResources([{ kind: "user", name: "big", id: BIG_USER, permissions: bigList() }]);

    emulator.admin.clearRequests();
    await measured(stack, ["up", "--yes", "--skip-preview"]);
    check.equal(names("users", BIG_USER), range(1000, bigScope));
    expect(
      emulator.admin.requests().filter((r) => r.method === "POST" && r.path.startsWith("/api/v2/users/")),
    ).toHaveLength(10);
    steps.push("create: 10 POSTs");

    emulator.admin.clearRequests();
    await measured(stack, ["refresh", "--yes", "--skip-preview", "--expect-no-changes"]);
    const pages = emulator.admin
      .requests()
      .filter((r) => r.method === "GET")
      .map((r) => r.query["page"]);
    expect(pages).toEqual(range(10, String));
    check.equal(names("users", BIG_USER), range(1000, bigScope));
    steps.push(`refresh: ${pages.length} pages`);

    await stack.setResources([
      { kind: "user", name: "big", id: BIG_USER, permissions: [...bigList(0, 999), ...bigList(1000, 1)] },
    ]);
    emulator.admin.clearRequests();
    const update = await measured(stack, ["up", "--yes", "--skip-preview"]);
    expect(update.stdout).toMatch(/1 updated/);
    check.equal(names("users", BIG_USER), [...range(999, bigScope), bigScope(1000)]);
    // Remove first, then add: adding first would exceed the cap of 1000.
    expect(
      emulator.admin
        .requests()
        .filter((r) => r.method !== "GET" && r.path.startsWith("/api/v2/"))
        .map((r) => `${r.method} ${r.status}`),
    ).toEqual(["DELETE 204", "POST 201"]);
    steps.push("update one: 1 DELETE then 1 POST");

    emulator.admin.clearRequests();
    await measured(stack, ["refresh", "--yes", "--skip-preview", "--expect-no-changes"]);
    expect(emulator.admin.requests().filter((r) => r.method === "GET")).toHaveLength(10);

    emulator.admin.clearRequests();
    await measured(stack, ["destroy", "--yes", "--skip-preview"]);
    check.equal(names("users", BIG_USER), []);
    expect(emulator.admin.requests().filter((r) => r.method === "DELETE")).toHaveLength(10);
    steps.push("destroy: 10 DELETEs");

    record("Scale", "real CLI: steps at the cap of 1000 (each exact)", steps.join("; "), "last");
    record("Scale", "real CLI: permissions compared exactly across the steps", check.count);
  });

  it("peak memory of the dynamic provider, and no secret anywhere", async () => {
    expect(peakKb).toBeGreaterThan(0);
    record(
      "Scale",
      "peak resident memory (VmHWM) of the dynamic provider process, over the concurrency and scale runs",
      Math.round((peakKb / 1024) * 10) / 10,
      "max",
      "MiB",
    );
    for (const stack of stacks) {
      await scan.addStack(stack);
    }
    scan.add("emulator request log", JSON.stringify(emulator.admin.requests()));
    const findings = scan.finish();
    expect(findings, describeFindings(findings)).toEqual([]);
  });
});
