import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import nock from "nock";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { RolePermissionRemoval, UserPermissions } from "../../../src";
import { rolePermissionRemovalHandlers } from "../../../src/provider/role-permission-removal";
import { createRuntime } from "../../../src/provider/runtime";
import { userPermissionsHandlers } from "../../../src/provider/user-permissions";
import { tuningKey } from "../../helpers/config";
import { useRegistrationMocks } from "../../helpers/pulumi-mocks";

// One output list per resource, three places that must agree: what the provider returns, what the class
// registers (and so what a program can read), and the README's "Outputs:" sentence. The declared TypeScript
// properties are pinned at compile time by `declared` below.

const DOMAIN = "outputs.test.auth0.com";
const BASE = `https://${DOMAIN}`;
const RS = "https://api.example.com";
const p = (permissionName: string) => ({ resourceServerIdentifier: RS, permissionName });
const w = (permissionName: string) => ({ resource_server_identifier: RS, permission_name: permissionName });
const page = (...names: string[]) => ({
  permissions: names.map((n) => ({ ...w(n), sources: [{ source_type: "DIRECT", source_id: "", source_name: "" }] })),
  start: 0,
  limit: 100,
  total: names.length,
});

/** The names of a class's declared `Output` properties, without the ones every resource has. */
type DeclaredOutputs<T> = Exclude<
  { [K in keyof T]-?: T[K] extends pulumi.Output<unknown> ? K : never }[keyof T],
  "urn" | "id"
>;
// A missing or extra key here is a compile error, so this list is exactly the declared outputs.
const declared: { [K in DeclaredOutputs<UserPermissions>]: true } = {
  userId: true,
  permissions: true,
  driftedPermissions: true,
  domain: true,
  schemaVersion: true,
};
const declaredRole: { [K in DeclaredOutputs<RolePermissionRemoval>]: true } = {
  roleId: true,
  permissions: true,
  restoreOnDelete: true,
  removedPermissions: true,
  removedAt: true,
  plannedPermissions: true,
  handedOverPermissions: true,
  domain: true,
  schemaVersion: true,
};

const registered = useRegistrationMocks();

let users: ReturnType<typeof userPermissionsHandlers>;
let roles: ReturnType<typeof rolePermissionRemovalHandlers>;
beforeAll(() => {
  nock.disableNetConnect();
});
beforeEach(() => {
  const config: Record<string, string> = {
    "auth0:domain": DOMAIN,
    "auth0:clientId": "id",
    "auth0:clientSecret": "secret",
    [tuningKey("maxRetries")]: "0",
  };
  const runtime = createRuntime({ config: (key) => config[key], env: {} });
  users = userPermissionsHandlers(runtime);
  roles = rolePermissionRemovalHandlers(runtime);
  nock(BASE).post("/oauth/token").reply(200, { access_token: "tok", expires_in: 86400 }).persist();
});
afterEach(() => {
  nock.cleanAll();
});

/** Every output key the provider writes, over the steps that write the most (a create, a refresh with drift). */
async function userProviderOutputs(): Promise<string[]> {
  nock(BASE).post("/api/v2/users/auth0%7Cu1/permissions").reply(201);
  const created = await users.create({ userId: "auth0|u1", permissions: [p("a"), p("b")] });
  nock(BASE).get("/api/v2/users/auth0%7Cu1/permissions").query(true).reply(200, page("a"));
  const refreshed = await users.read("auth0|u1", created.outs);
  return [...new Set([...Object.keys(created.outs), ...Object.keys(refreshed.props ?? {})])].sort();
}

/** Over a create and an update that hands a permission over to another removal of the same deployment. */
async function roleProviderOutputs(): Promise<string[]> {
  nock(BASE).get("/api/v2/roles/rol_1/permissions").query(true).reply(200, page("a"));
  nock(BASE).delete("/api/v2/roles/rol_1/permissions").reply(200);
  const inputs = { roleId: "rol_1", permissions: [p("a"), p("b")], restoreOnDelete: true };
  const created = await roles.create({ ...inputs, plannedPermissions: [p("a"), p("b")] });
  // Another removal now keeps b off (it found it off); the first stops listing it and hands it over.
  await roles.create({ ...inputs, permissions: [p("b")], plannedPermissions: [] });
  const updated = await roles.update("rol_1", created.outs, {
    ...inputs,
    permissions: [p("a")],
    plannedPermissions: [p("a"), p("b")],
  });
  return [...new Set([...Object.keys(created.outs), ...Object.keys(updated.outs ?? {})])].sort();
}

/** The outputs a program can read on an instance: every registered property that is an Output. */
async function registeredOutputs(resource: pulumi.CustomResource): Promise<string[]> {
  await new Promise<void>((resolve) => resource.urn.apply(() => resolve()));
  const record = resource as unknown as Record<string, unknown>;
  return Object.keys(record)
    .filter((key) => pulumi.Output.isInstance(record[key]) && !["urn", "id"].includes(key) && !key.startsWith("__"))
    .sort();
}

/** The backquoted names in the README's "Outputs:" sentence of a resource's section. */
function readmeOutputs(resource: string): string[] {
  const readme = readFileSync(join(__dirname, "..", "..", "..", "README.md"), "utf8");
  const section = readme.split(`### \`${resource}\``)[1]?.split("\n### ")[0] ?? "";
  const sentence = section.slice(section.indexOf("\nOutputs:")).split("\n\n")[0] ?? "";
  expect(sentence, `README: no "Outputs:" sentence under ### \`${resource}\``).toMatch(/^\nOutputs:/);
  return [...new Set([...sentence.matchAll(/`([A-Za-z]+)`/g)].map((m) => m[1]!))].sort();
}

/** The provider's outputs are exactly the class's declared and registered outputs and the README's. */
async function expectOutputsAgree(c: {
  resource: string;
  fromProvider: () => Promise<string[]>;
  own: string;
  instance: () => pulumi.CustomResource;
  declaredKeys: Record<string, true>;
}): Promise<void> {
  const outputs = await c.fromProvider();
  expect(outputs).toContain(c.own);
  expect(await registeredOutputs(c.instance())).toEqual(outputs);
  expect(Object.keys(c.declaredKeys).sort()).toEqual(outputs);
  expect(readmeOutputs(c.resource)).toEqual(outputs);
}

describe("outputs", () => {
  it("UserPermissions: the provider's outputs are exactly the class's declared and registered outputs and the README's", () =>
    expectOutputsAgree({
      resource: "UserPermissions",
      fromProvider: userProviderOutputs,
      own: "driftedPermissions",
      instance: () => new UserPermissions("u", { userId: "auth0|u1", permissions: [p("a")] }),
      declaredKeys: declared,
    }));

  it("RolePermissionRemoval: the provider's outputs are exactly the class's declared and registered outputs and the README's", () =>
    expectOutputsAgree({
      resource: "RolePermissionRemoval",
      fromProvider: roleProviderOutputs,
      own: "removedAt",
      instance: () => new RolePermissionRemoval("r", { roleId: "rol_1", permissions: [p("a")] }),
      declaredKeys: declaredRole,
    }));
});

describe("type tokens for policy packs", () => {
  it("each class carries its registered type token as a static __pulumiType, and isInstance compares by it", async () => {
    const user = new UserPermissions("typed-u", { userId: "auth0|u1", permissions: [p("a")] });
    const role = new RolePermissionRemoval("typed-r", { roleId: "rol_1", permissions: [p("a")] });
    await new Promise<void>((resolve) => pulumi.all([user.urn, role.urn]).apply(() => resolve()));
    // A RolePermissionRemoval also registers its plan under the same name, with a type of its own.
    const typesOf = (name: string) => registered.filter((r) => r.name === name).map((r) => r.type);
    expect(typesOf("typed-u")).toEqual([UserPermissions.__pulumiType]);
    expect(typesOf("typed-r")).toContain(RolePermissionRemoval.__pulumiType);
    expect(typesOf("typed-r")).toHaveLength(2);
    expect([UserPermissions.isInstance(user), UserPermissions.isInstance(role)]).toEqual([true, false]);
    expect([RolePermissionRemoval.isInstance(role), RolePermissionRemoval.isInstance(user)]).toEqual([true, false]);
    // @pulumi/policy's analyzer calls isInstance with a bare object holding the type.
    expect(UserPermissions.isInstance({ __pulumiType: "pulumi-nodejs:dynamic/auth0:UserPermissions" })).toBe(true);
    expect([
      UserPermissions.isInstance(undefined),
      UserPermissions.isInstance(null),
      UserPermissions.isInstance({}),
    ]).toEqual([false, false, false]);
  });
});
