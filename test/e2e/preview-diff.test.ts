import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../src/emulator";
import { apiRequests, perm, setUserPermissions, userPermissions } from "../helpers/tenant";
import { startE2eStack } from "./support/emulator-stack";
import type { E2eStack, ResourceSpec } from "./support/stack";

const grant = (...names: string[]): ResourceSpec => ({
  kind: "user",
  name: "alice-grant",
  id: "auth0|alice",
  permissions: names.map(perm),
});
const removal = (...names: string[]): ResourceSpec => ({
  kind: "role",
  name: "support-removal",
  id: "rol_support",
  permissions: names.map(perm),
});

let emulator: RunningEmulator;
let stack: E2eStack;

beforeAll(async () => {
  ({ emulator, stack } = await startE2eStack());
  await stack.setResources([grant("read:reports", "write:reports"), removal("delete:reports")]);
  await stack.up();
});

afterAll(async () => {
  await stack?.destroy();
  await emulator?.stop();
});

/**
 * The changed property lines `pulumi preview --diff` prints under one resource (those starting with +, - or ~),
 * with runs of white space collapsed and no alignment before colons; the stack outputs after `--outputs:--`
 * are not included.
 */
async function previewChanges(resources: ResourceSpec[], name: string): Promise<string[]> {
  await stack.setResources(resources);
  const before = apiRequests(emulator).length;
  const result = await stack.preview();
  expect(result.code, result.output).toBe(0);
  expect(apiRequests(emulator).length, "preview sends no request").toBe(before);
  const lines = result.stdout.split("\n").map((line) => line.trim().replace(/\s+/g, " ").replace(/ :/g, ":"));
  const start = lines.findIndex((line) => line.startsWith("[urn=") && line.endsWith(`::${name}]`));
  expect(start, result.stdout).toBeGreaterThan(0);
  const end = lines.findIndex((line, i) => i > start && (line.startsWith("[urn=") || line === "--outputs:--"));
  const block = lines.slice(start + 1, end < 0 ? undefined : end);
  // The next resource's header line ("~ pulumi-nodejs:...: (update)") precedes its [urn=...]: drop it.
  return block.filter((line) => /^[+~-] /.test(line) && !/^[+~-] pulumi-nodejs:/.test(line));
}

const API = '"https://api.example.com"';
const element = (op: "+" | "-", index: number, permissionName: string) => [
  `${op} [${index}]: {`,
  `${op} permissionName: "${permissionName}"`,
  `${op} resourceServerIdentifier: ${API}`,
];

describe("pulumi preview --diff of a changed permission list names exactly what is granted and revoked", () => {
  it("a permission inserted at the front of the sorted list: one +, nothing for the ones after it", async () => {
    const changes = await previewChanges(
      [grant("admin:reports", "read:reports", "write:reports"), removal("delete:reports")],
      "alice-grant",
    );
    expect(changes).toEqual(["~ permissions: [", ...element("+", 0, "admin:reports")]);
  });

  it("a mixed change: one + per new permission, one - per dropped one, each on its own element", async () => {
    // State: [read:reports, write:reports]; new: [admin:reports, read:reports].
    const changes = await previewChanges(
      [grant("admin:reports", "read:reports"), removal("delete:reports")],
      "alice-grant",
    );
    expect(changes).toEqual([
      "~ permissions: [",
      ...element("+", 0, "admin:reports"),
      ...element("-", 1, "write:reports"),
    ]);
  });

  it("a dropped and a new permission at the same position show as one element changing from one to the other", async () => {
    const changes = await previewChanges(
      [grant("export:reports", "write:reports"), removal("delete:reports")],
      "alice-grant",
    );
    // State: [read:reports, write:reports]; new: [export:reports, write:reports]: both at index 0.
    expect(changes).toEqual(["~ permissions: [", "~ [0]: {", '~ permissionName: "read:reports" => "export:reports"']);
  });

  it("a removal: + for each permission it will take off the role, and a changed restoreOnDelete", async () => {
    const changes = await previewChanges(
      [
        grant("read:reports", "write:reports"),
        { ...removal("admin:reports", "delete:reports", "write:reports"), restoreOnDelete: false },
      ],
      "support-removal",
    );
    expect(changes).toEqual([
      "~ permissions: [",
      ...element("+", 0, "admin:reports"),
      ...element("+", 2, "write:reports"),
      "~ restoreOnDelete: true => false",
    ]);
  });
});

describe("after a refresh finds drift", () => {
  it("the refresh warns naming the missing permission, and the next preview shows it granted again", async () => {
    await stack.setResources([grant("read:reports", "write:reports"), removal("delete:reports")]);
    setUserPermissions(emulator, "auth0|alice", ["read:reports", "unrelated:thing"]);
    const refresh = await stack.refresh();
    expect(refresh.code, refresh.output).toBe(0);
    expect(refresh.output).toContain(
      "warning: UserPermissions of user 'auth0|alice': refresh found 1 listed permission(s) missing in Auth0 " +
        "(driftedPermissions): write:reports on https://api.example.com. The next `pulumi up` grants them again.",
    );
    expect(
      await previewChanges([grant("read:reports", "write:reports"), removal("delete:reports")], "alice-grant"),
    ).toEqual(["~ permissions: [", ...element("+", 1, "write:reports")]);
    await stack.up();
    expect(userPermissions(emulator, "auth0|alice")).toEqual(["read:reports", "unrelated:thing", "write:reports"]);
  });
});
