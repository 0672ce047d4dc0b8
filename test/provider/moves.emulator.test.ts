import { describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../src/emulator";
import type { RemovalPlanState, RolePermissionRemovalState, UserPermissionsState } from "../../src/provider/state";
import type { PartialProgressError } from "../../src/provider/partial-progress";
import { newDeployment, provider } from "./emulator-tenant";
import { p, useMoveTenant } from "./move-tenant";
import * as steps from "./removal-steps";

/**
 * A permission moved between two resources in one deployment: resource A drops it, resource B
 * takes it over. Pulumi runs both steps concurrently in one provider process, in either order.
 */
const users = provider("UserPermissions");
const roles = provider("RolePermissionRemoval");
const plans = provider("RolePermissionRemovalPlan");

const tenant = useMoveTenant();
const { roleHas, userHas } = tenant;

type Order = "A first" | "B first" | "concurrent";
const ORDERS: Order[] = ["A first", "B first", "concurrent"];

async function inOrder(order: Order, a: () => Promise<unknown>, b: () => Promise<unknown>): Promise<void> {
  if (order === "A first") {
    await a();
    await b();
  } else if (order === "B first") {
    await b();
    await a();
  } else await Promise.all([a(), b()]);
}

describe("moving a permission between two UserPermissions in one deployment", () => {
  for (const order of ORDERS) {
    it(`keeps it granted (${order})`, async () => {
      await tenant.start();
      const a = (await users.create({ userId: "auth0|u", permissions: [p("read:x"), p("write:x")] }))
        .outs as UserPermissionsState;
      const b = (await users.create({ userId: "auth0|u", permissions: [p("admin:x")] })).outs as UserPermissionsState;
      await newDeployment();
      await inOrder(
        order,
        () => users.update("auth0|u", a, { userId: "auth0|u", permissions: [p("write:x")] }),
        () => users.update("auth0|u", b, { userId: "auth0|u", permissions: [p("admin:x"), p("read:x")] }),
      );
      expect(userHas()).toEqual(["admin:x", "read:x", "write:x"]);
    });
  }

  it("keeps it granted when the old resource is deleted and a new one created (a rename without alias)", async () => {
    await tenant.start();
    const old = (await users.create({ userId: "auth0|u", permissions: [p("read:x")] })).outs as UserPermissionsState;
    await newDeployment();
    // Pulumi creates the new resource first and deletes the old one last.
    await users.create({ userId: "auth0|u", permissions: [p("read:x")] });
    await users.delete("auth0|u", old);
    expect(userHas()).toEqual(["read:x"]);
  });

  it("a destroy, where nothing is granted, still revokes everything", async () => {
    await tenant.start();
    const a = (await users.create({ userId: "auth0|u", permissions: [p("read:x")] })).outs as UserPermissionsState;
    const b = (await users.create({ userId: "auth0|u", permissions: [p("read:x"), p("write:x")] }))
      .outs as UserPermissionsState;
    await newDeployment();
    await Promise.all([users.delete("auth0|u", a), users.delete("auth0|u", b)]);
    expect(userHas()).toEqual([]);
  });
});

describe("a permission moved away, then a failed update of the resource it left", () => {
  const refusePost = (e: RunningEmulator) =>
    e.admin.addFault({
      match: { method: "POST", path: "/users/.*/permissions$" },
      times: 1,
      response: { status: 403, body: { statusCode: 403, error: "Forbidden", message: "Insufficient scope" } },
    });
  /** B takes read:x over from A; then A's update (after B's) fails on its POST. */
  async function moveThenFail(aBefore: string[], aAfter: string[]) {
    await tenant.start();
    const a = (await users.create({ userId: "auth0|u", permissions: aBefore.map(p) })).outs as UserPermissionsState;
    const b = (await users.create({ userId: "auth0|u", permissions: [p("admin:x")] })).outs as UserPermissionsState;
    await newDeployment();
    const bNews = { userId: "auth0|u", permissions: [p("admin:x"), p("read:x")] };
    const b2 = (await users.update("auth0|u", b, bNews)).outs as UserPermissionsState;
    refusePost(tenant.emulator);
    const aNews = { userId: "auth0|u", permissions: aAfter.map(p) };
    const error = (await users.update("auth0|u", a, aNews).catch((e: unknown) => e)) as PartialProgressError;
    // A partial state for the engine to keep (not instanceof: each deployment loads the provider anew).
    expect(error).toHaveProperty("properties");
    const a2 = error.properties as unknown as UserPermissionsState;
    expect(a2.permissions).not.toContainEqual(p("read:x"));
    // The next `pulumi up`: B unchanged, A finishes its update; the user keeps what B grants.
    await newDeployment();
    await users.update("auth0|u", a2, aNews);
    expect(b2.permissions).toContainEqual(p("read:x"));
    expect(userHas()).toContain("read:x");
    return a2;
  }

  it("drops it from the failed resource's record after a partial revoke", async () => {
    const a2 = await moveThenFail(["read:x", "write:x"], ["delete:x"]);
    expect(a2.permissions).toEqual([]);
    expect(userHas()).toEqual(["admin:x", "delete:x", "read:x"]);
  });

  it("drops it from the failed resource's record even when nothing else was written", async () => {
    const a2 = await moveThenFail(["read:x"], ["delete:x"]);
    expect(a2.permissions).toEqual([]);
    expect(userHas()).toEqual(["admin:x", "delete:x", "read:x"]);
  });
});

/** A removal as its resource class declares it (removal-steps.ts), on rol_a. */
const createRemoval = (listed: string[]) => steps.createRemoval("rol_a", listed.map(p));
const updateRemoval = (old: steps.Removal, listed: string[]) => steps.updateRemoval(old, listed.map(p));
const destroyRemoval = steps.destroyRemoval;

describe("moving a removal between two RolePermissionRemovals in one deployment", () => {
  for (const order of ORDERS) {
    it(`keeps it off the role, and a destroy restores the role exactly (${order})`, async () => {
      await tenant.start();
      const r1 = await createRemoval(["delete:x", "admin:x"]);
      const r2 = await createRemoval(["write:x"]);
      expect(roleHas()).toEqual(["read:x"]);
      await newDeployment();
      let r1b = r1;
      let r2b = r2;
      // R1 stops removing delete:x (a restore); R2 starts removing it.
      await inOrder(
        order,
        async () => (r1b = await updateRemoval(r1, ["admin:x"])),
        async () => (r2b = await updateRemoval(r2, ["write:x", "delete:x"])),
      );
      expect(roleHas()).toEqual(["read:x"]);
      await newDeployment();
      await Promise.all([destroyRemoval(r1b), destroyRemoval(r2b)]);
      expect(roleHas()).toEqual(["admin:x", "delete:x", "read:x", "write:x"]);
    });
  }
});

describe("a removal killed after its DELETE, before its state was saved", () => {
  it("restores the permission once it leaves the list, though only the plan recorded it", async () => {
    await tenant.start();
    const r1 = await createRemoval(["write:x"]);
    await newDeployment();
    // delete:x joins the list: the plan records it, the removal DELETEs it, then the run is SIGKILLed.
    const inputs2 = steps.removalInputs("rol_a", [p("write:x"), p("delete:x")]);
    const plan2 = (await plans.update("rol_a", r1.plan, inputs2)).outs as RemovalPlanState;
    await roles.update("rol_a", r1.removal, { ...inputs2, plannedPermissions: plan2.plannedPermissions });
    expect(roleHas()).toEqual(["admin:x", "read:x"]);
    await newDeployment();
    // delete:x leaves the list again; the removal's saved state never had it.
    const inputs3 = steps.removalInputs("rol_a", [p("write:x")]);
    const plan3 = (await plans.update("rol_a", plan2, inputs3)).outs as RemovalPlanState;
    const news3 = { ...inputs3, plannedPermissions: plan3.plannedPermissions };
    expect((await roles.diff("rol_a", r1.removal, news3)).changes).toBe(true);
    const removal3 = (await roles.update("rol_a", r1.removal, news3)).outs as RolePermissionRemovalState;
    expect(roleHas()).toEqual(["admin:x", "delete:x", "read:x"]);
    // Done: no further update is planned, and a destroy restores the role exactly.
    expect((await roles.diff("rol_a", removal3, news3)).changes).toBe(false);
    await newDeployment();
    await destroyRemoval({ plan: plan3, removal: removal3 });
    expect(roleHas()).toEqual(["admin:x", "delete:x", "read:x", "write:x"]);
  });

  it("a plan whose unlisted permission is back on the role forgets it", async () => {
    await tenant.start();
    const r1 = await createRemoval(["write:x", "delete:x"]);
    await newDeployment();
    const r2 = await updateRemoval(r1, ["write:x"]);
    expect(roleHas()).toEqual(["admin:x", "delete:x", "read:x"]);
    await newDeployment();
    const r3 = await updateRemoval(r2, ["admin:x"]);
    // write:x was still off when the plan ran (the removal restored it after); delete:x was back.
    expect(r3.plan.plannedPermissions).toEqual([p("admin:x"), p("write:x")]);
    expect(roleHas()).toEqual(["delete:x", "read:x", "write:x"]);
    const news3 = steps.removalInputs("rol_a", [p("admin:x")]);
    const diff = await roles.diff("rol_a", r3.removal, { ...news3, plannedPermissions: r3.plan.plannedPermissions });
    expect(diff.changes).toBe(false);
  });
});
