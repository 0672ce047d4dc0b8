import { describe, expect, it } from "vitest";
import type { SeedDocument } from "../../src/emulator";
import { API, wire } from "../helpers/tenant";
import { useEmulator } from "./support";

const names = Array.from({ length: 200 }, (_, i) => `p:${String(i).padStart(3, "0")}`);
const seed = (): SeedDocument => ({
  resource_servers: [{ identifier: API, scopes: names }],
  users: [{ user_id: "auth0|busy" }],
  roles: [{ id: "rol_busy" }],
});

describe("concurrent requests", () => {
  const env = useEmulator(() => ({ seed: seed() }));

  it("200 concurrent single-permission POSTs to one user all land", async () => {
    const results = await Promise.all(
      names.map((name) => env.client.api("POST", "/users/auth0%7Cbusy/permissions", { permissions: [wire(name)] })),
    );
    expect(results.every((result) => result.status === 201)).toBe(true);
    expect(env.emulator.admin.state().users[0]?.permissions).toHaveLength(200);
  });

  it("concurrent overlapping POSTs and DELETEs leave exactly the permissions whose last operation was an add", async () => {
    env.emulator.admin.reset();
    const role = "/roles/rol_busy/permissions";
    await env.client.api("POST", role, { permissions: names.slice(0, 100).map((name) => wire(name)) });
    const calls = names.map((name, i) =>
      i < 100
        ? env.client.api("DELETE", role, { permissions: [wire(name)] })
        : env.client.api("POST", role, { permissions: [wire(name)] }),
    );
    const results = await Promise.all(calls);
    expect(results.map((result) => result.status).sort()).toEqual([...Array(100).fill(201), ...Array(100).fill(204)]);
    const held = env.emulator.admin.state().roles[0]?.permissions.map((entry) => entry.permission_name);
    expect(held).toEqual(names.slice(100));
  });

  it("concurrent POSTs racing the entity cap never push a role past 1000", async () => {
    const many = Array.from({ length: 1100 }, (_, i) => `c:${String(i).padStart(4, "0")}`);
    env.emulator.admin.seed(
      { resource_servers: [{ identifier: API, scopes: many }], roles: [{ id: "rol_cap" }] },
      { replace: true },
    );
    const chunks = Array.from({ length: 11 }, (_, i) => many.slice(i * 100, i * 100 + 100));
    const results = await Promise.all(
      chunks.map((chunk) =>
        env.client.api("POST", "/roles/rol_cap/permissions", { permissions: chunk.map((name) => wire(name)) }),
      ),
    );
    expect(results.filter((result) => result.status === 201)).toHaveLength(10);
    expect(results.filter((result) => result.status === 400)).toHaveLength(1);
    expect(env.emulator.admin.state().roles[0]?.permissions).toHaveLength(1000);
  });
});
