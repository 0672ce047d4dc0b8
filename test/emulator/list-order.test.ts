import { describe, expect, it } from "vitest";
import { startEmulator } from "../../src/emulator";
import { API, wire } from "../helpers/tenant";
import { TestClient, useEmulator } from "./support";

const names = Array.from({ length: 60 }, (_, i) => `scope:${String(i).padStart(2, "0")}`);
const seed = () => ({
  resource_servers: [{ identifier: API, scopes: [...names, "read:foo", "create:foo"] }],
  roles: [{ id: "rol_many", permissions: names.map((name) => wire(name)) }],
  users: [{ user_id: "auth0|u", roles: ["rol_many"] }, { user_id: "auth0|v" }],
});

const listed = (result: { json: unknown }) =>
  (result.json as Array<{ permission_name: string }>).map((p) => p.permission_name);

describe("permission list order (default)", () => {
  const env = useEmulator(() => ({ http: true, seed: seed() }));

  it("two permissions assigned read, then create, come back create, read, as recorded", async () => {
    await env.client.api("POST", "/users/auth0%7Cv/permissions", { permissions: [wire("read:foo")] });
    await env.client.api("POST", "/users/auth0%7Cv/permissions", { permissions: [wire("create:foo")] });
    expect(listed(await env.client.api("GET", "/users/auth0%7Cv/permissions"))).toEqual(["create:foo", "read:foo"]);
  });
});

describe("permission list order: shuffled", () => {
  const env = useEmulator(() => ({ http: true, seed: seed(), permissionOrder: "shuffled" }));

  async function walk(path: string, client: TestClient): Promise<string[]> {
    const seen: string[] = [];
    for (let page = 0; page < 4; page++) {
      seen.push(...listed(await client.api("GET", `${path}?per_page=25&page=${page}`)));
    }
    return seen;
  }

  it("shuffled lists keep one order per start, on every page and request, and it is not sorted", async () => {
    const first = await walk("/roles/rol_many/permissions", env.client);
    expect([...first].sort()).toEqual(names);
    expect(first).not.toEqual(names);
    expect(await walk("/roles/rol_many/permissions", env.client)).toEqual(first);
    // A user's role-sourced entries follow the same order.
    expect(await walk("/users/auth0%7Cu/permissions", env.client)).toEqual(first);
  });

  it("another start shuffles differently", async () => {
    const other = await startEmulator({ http: true, seed: seed(), permissionOrder: "shuffled" });
    const client = new TestClient(other);
    try {
      const theirs = await walk("/roles/rol_many/permissions", client);
      expect(theirs).not.toEqual(await walk("/roles/rol_many/permissions", env.client));
    } finally {
      client.close();
      await other.stop();
    }
  });

  it("an unknown permissionOrder rejects startEmulator", async () => {
    await expect(startEmulator({ http: true, permissionOrder: "random" as never })).rejects.toThrow(
      "permissionOrder must be one of sorted, shuffled",
    );
  });
});
