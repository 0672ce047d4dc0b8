import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../src/emulator";
import { API, rolePermissions, userPermissions, wire } from "../helpers/tenant";
import { configuredStack } from "./support/emulator-stack";

const EXAMPLES = join(__dirname, "..", "..", "examples");
// Programs only: a policy pack (PulumiPolicy.yaml) is run by test/e2e/policy-pack.test.ts.
const examples = readdirSync(EXAMPLES).filter(
  (name) => statSync(join(EXAMPLES, name)).isDirectory() && !existsSync(join(EXAMPLES, name, "PulumiPolicy.yaml")),
);

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator({
    seed: {
      resource_servers: [
        { identifier: API, scopes: ["read:reports", "export:reports", "delete:reports", "view:dashboards"] },
      ],
      users: [{ user_id: "auth0|example-user", permissions: [wire("view:dashboards")] }],
      roles: [{ id: "rol_example", permissions: [wire("read:reports"), wire("delete:reports")] }],
    },
  });
});
afterAll(async () => {
  await emulator?.stop();
});

describe("every program in examples/", () => {
  it.each(examples)("%s deploys and destroys, leaving the tenant as it was", async (example) => {
    const stack = await configuredStack(emulator, { program: join(EXAMPLES, example) });
    for (const [key, value] of [
      ["apiIdentifier", API],
      ["userId", "auth0|example-user"],
      ["roleId", "rol_example"],
    ] as const) {
      await stack.setConfig(key, value);
    }
    await stack.up();
    expect(userPermissions(emulator, "auth0|example-user").length).toBeGreaterThan(1);
    await stack.destroy();
    expect(userPermissions(emulator, "auth0|example-user")).toEqual(["view:dashboards"]);
    expect(rolePermissions(emulator, "rol_example")).toEqual(["delete:reports", "read:reports"]);
  });
});
