import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync, appendFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../src/emulator";
import { installProject, packPackage } from "./support/global-setup";
import { E2E_SEED, perm, rolePermissions, userPermissions, wire } from "../helpers/tenant";
import { configuredStack } from "./support/emulator-stack";

let emulator: RunningEmulator;
beforeAll(async () => void (emulator = await startEmulator({ seed: E2E_SEED })));
afterAll(() => emulator?.stop());

/** A later build: the same package with another version, whose provider runtime leaves a mark when loaded. */
function laterBuild(): string {
  const e2e = inject("e2e");
  const dir = join(e2e.workDir, "later-build");
  mkdirSync(dir, { recursive: true });
  for (const entry of ["package.json", "README.md", "dist"])
    cpSync(join(e2e.repo, entry), join(dir, entry), { recursive: true });
  const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  manifest.version = `${manifest.version}-later.1`;
  delete manifest.scripts;
  writeFileSync(join(dir, "package.json"), JSON.stringify(manifest, null, 2));
  appendFileSync(
    join(dir, "dist", "provider", "index.js"),
    '\nif (process.env.E2E_RUNTIME_MARK) require("node:fs").appendFileSync(process.env.E2E_RUNTIME_MARK, "later build loaded\\n");\n',
  );
  return packPackage(dir, join(e2e.workDir, "packs-later"));
}

describe("upgrades", () => {
  it("a stack deployed with one build is refreshed and destroyed by a later build", async () => {
    const e2e = inject("e2e");
    const projectDir = join(e2e.workDir, "upgrade-project");
    installProject(e2e.repo, projectDir, e2e.tarball);
    const mark = join(e2e.workDir, "runtime-mark.txt");
    const stack = await configuredStack(emulator, { projectDir, env: { E2E_RUNTIME_MARK: mark } });
    await stack.setResources([
      { kind: "user", name: "grant", id: "auth0|alice", permissions: [perm("admin:reports")] },
      { kind: "role", name: "removal", id: "rol_support", permissions: [perm("write:reports")] },
    ]);
    await stack.up();
    expect(existsSync(mark)).toBe(false);

    execFileSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", laterBuild()], {
      cwd: projectDir,
    });
    const refresh = await stack.refresh("--expect-no-changes");
    expect(refresh.code, refresh.output).toBe(0);
    await stack.destroy();
    expect(readFileSync(mark, "utf8")).toContain("later build loaded");
    expect(userPermissions(emulator, "auth0|alice")).toEqual(["unrelated:thing"]);
    expect(rolePermissions(emulator, "rol_support")).toEqual(["delete:reports", "read:reports", "write:reports"]);
  });
});

describe("the provider code frozen into state", () => {
  interface StateResource {
    type: string;
    inputs: Record<string, unknown>;
    outputs: Record<string, unknown>;
  }
  const KIND_OF_TYPE: Record<string, string> = {
    "pulumi-nodejs:dynamic/auth0:UserPermissions": "UserPermissions",
    "pulumi-nodejs:dynamic/auth0:RolePermissionRemoval": "RolePermissionRemoval",
  };

  it("is one short require of the installed package, and state written by 0.1.0 (function text, no plan) still works", async () => {
    const stack = await configuredStack(emulator);
    await stack.setResources([
      { kind: "user", name: "frozen-grant", id: "auth0|alice", permissions: [perm("export:reports")] },
      { kind: "role", name: "frozen-removal", id: "rol_support", permissions: [perm("read:reports")] },
    ]);
    await stack.up();
    const exported = JSON.parse(await stack.exportText()) as { deployment: { resources: StateResource[] } };
    const ours = exported.deployment.resources.filter((r) => KIND_OF_TYPE[r.type]);
    expect(ours).toHaveLength(2);
    for (const resource of ours) {
      const expected = `require("pulumi-auth0-permissions/provider/${resource.type.endsWith("UserPermissions") ? "user-permissions" : "role-permission-removal"}")`;
      for (const props of [resource.inputs, resource.outputs]) {
        expect(String(props["__provider"])).toContain(expected);
        expect(String(props["__provider"]).length).toBeLessThan(400);
      }
    }

    // Rewrite the state as 0.1.0 wrote it: the provider as the text of its functions.
    for (const resource of ours) {
      const legacy = readFileSync(
        join(__dirname, "fixtures", `provider-0.1.0-${KIND_OF_TYPE[resource.type]}.js`),
        "utf8",
      );
      resource.inputs["__provider"] = legacy;
      resource.outputs["__provider"] = legacy;
    }
    // 0.1.0 had no RolePermissionRemovalPlan, and the removal had no plannedPermissions input.
    const PLAN = "pulumi-nodejs:dynamic/auth0:RolePermissionRemovalPlan";
    const all = exported.deployment.resources as (StateResource & {
      urn: string;
      dependencies?: string[];
      propertyDependencies?: Record<string, string[]>;
    })[];
    const planUrns = all.filter((r) => r.type === PLAN).map((r) => r.urn);
    expect(planUrns).toHaveLength(1);
    exported.deployment.resources = all.filter((r) => r.type !== PLAN);
    for (const resource of exported.deployment.resources as typeof all) {
      if (resource.inputs) delete resource.inputs["plannedPermissions"];
      if (resource.dependencies) resource.dependencies = resource.dependencies.filter((u) => !planUrns.includes(u));
      if (resource.propertyDependencies) delete resource.propertyDependencies["plannedPermissions"];
    }
    const file = join(inject("e2e").workDir, `${stack.name}-0.1.0.json`);
    writeFileSync(file, JSON.stringify(exported));
    await stack.mustRun(["stack", "import", "--file", file]);

    const refresh = await stack.refresh("--expect-no-changes");
    expect(refresh.code, refresh.output).toBe(0);
    // The first up after the upgrade creates the removal's plan (one GET, nothing written) and changes nothing else.
    emulator.admin.clearRequests();
    const upgraded = await stack.up();
    expect(upgraded.stdout).toMatch(/\+ 1 created/);
    expect(upgraded.stdout).not.toMatch(/updated/);
    expect(emulator.admin.requests().filter((r) => r.method !== "GET" && r.path.startsWith("/api/v2/"))).toEqual([]);
    const again = await stack.up("--expect-no-changes");
    expect(again.code).toBe(0);
    await stack.destroy();
    expect(userPermissions(emulator, "auth0|alice")).toEqual(["unrelated:thing"]);
    expect(rolePermissions(emulator, "rol_support")).toEqual(["delete:reports", "read:reports", "write:reports"]);
  });
});

describe("scale under the free plan's rate limit", () => {
  it("fifty resources in one deployment complete with no failed operation", async () => {
    const users = Array.from({ length: 50 }, (_, i) => `auth0|load-${i}`);
    emulator.admin.seed({ users: users.map((user_id) => ({ user_id, permissions: [wire("unrelated:thing")] })) });
    emulator.admin.setRateLimit({ profile: "free" });
    try {
      const stack = await configuredStack(emulator);
      await stack.setResources(
        users.map((id, i) => ({
          kind: "user",
          name: `load-${i}`,
          id,
          permissions: [perm("read:reports"), perm("export:reports")],
        })),
      );
      emulator.admin.clearRequests();
      const up = await stack.up();
      expect(up.stdout).toMatch(/51 created/);
      for (const id of users)
        expect(userPermissions(emulator, id)).toEqual(["export:reports", "read:reports", "unrelated:thing"]);
      const log = emulator.admin.requests();
      console.log(
        `free plan, 50 resources: ${log.length} requests, ${log.filter((r) => r.status === 429).length} answered 429`,
      );
      await stack.destroy();
      for (const id of users) expect(userPermissions(emulator, id)).toEqual(["unrelated:thing"]);
    } finally {
      emulator.admin.setRateLimit({ profile: "none" });
    }
  });
});
