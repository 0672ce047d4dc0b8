import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../src/emulator";
import { perm, userPermissions } from "../helpers/tenant";
import { startE2eStack } from "./support/emulator-stack";
import type { E2eStack, ResourceSpec } from "./support/stack";

/**
 * Fail closed through the real engine: a 404 that is not Auth0's own "does not exist" (a proxy, a
 * gateway, a wrong custom domain, a moved route) must not make `pulumi destroy` say "deleted" while
 * the user keeps the permissions, nor make `pulumi refresh` drop the resource from state.
 */
const grant: ResourceSpec = {
  kind: "user",
  name: "bob-grant",
  id: "auth0|bob",
  permissions: [perm("read:reports"), perm("export:reports")],
};
const STRAY_404 = { statusCode: 404, error: "Not Found", message: "Not Found" };

let emulator: RunningEmulator;
let stack: E2eStack;

beforeAll(async () => {
  ({ emulator, stack } = await startE2eStack({ tuning: { maxRetries: "0" } }));
  await stack.setResources([grant]);
  await stack.up();
});

afterAll(async () => {
  await emulator?.stop();
});

const inState = async () => (await stack.exportText()).includes("::bob-grant");

describe("stray 404s through the real Pulumi CLI", () => {
  it("refresh with a moved route's 404 fails and keeps the resource in state", async () => {
    emulator.admin.addFault({
      match: { method: "GET", path: "/permissions$" },
      response: { status: 404, body: STRAY_404 },
    });
    const result = await stack.refresh();
    emulator.admin.clearFaults();
    expect(result.code, result.output).not.toBe(0);
    expect(result.output).toMatch(
      /Auth0 answered 404: Not Found about user 'auth0\|bob', but GET \/api\/v2\/users\/auth0%7Cbob shows the user exists/,
    );
    expect(await inState()).toBe(true);
  });

  it("destroy with a proxy's 404 to the DELETE fails, the user keeps the grants and the state keeps the resource; a retry revokes", async () => {
    expect(userPermissions(emulator, "auth0|bob")).toEqual(expect.arrayContaining(["read:reports", "export:reports"]));
    emulator.admin.addFault({
      match: { method: "DELETE", path: "/permissions$" },
      response: { status: 404, body: STRAY_404 },
    });
    const failed = await stack.run(["destroy", "--yes", "--skip-preview"]);
    emulator.admin.clearFaults();
    expect(failed.code, failed.output).not.toBe(0);
    expect(failed.output).toMatch(/shows the user exists, so that was not Auth0's "user does not exist"/);
    expect(failed.output).not.toMatch(/Resources:\s+- 1 deleted/);
    expect(userPermissions(emulator, "auth0|bob")).toEqual(expect.arrayContaining(["read:reports", "export:reports"]));
    expect(await inState()).toBe(true);

    await stack.destroy();
    expect(userPermissions(emulator, "auth0|bob")).not.toEqual(expect.arrayContaining(["read:reports"]));
    expect(await inState()).toBe(false);
  });
});
