import { describe, expect, it } from "vitest";
import type { SeedDocument } from "../../src/emulator";
import { API, wire } from "../helpers/tenant";
import { expectAnswerLike, useEmulator } from "./support";

const names = Array.from({ length: 120 }, (_, i) => `p:${String(i).padStart(3, "0")}`);
const seed = (): SeedDocument => ({
  resource_servers: [{ identifier: API, scopes: names }],
  users: [{ user_id: "auth0|many", permissions: names.map((name) => wire(name)) }],
  roles: [{ id: "rol_many", permissions: names.map((name) => wire(name)) }],
});
type Page = { permissions: Array<{ permission_name: string }>; start: number; limit: number; total: number };

describe("pagination", () => {
  const env = useEmulator(() => ({ seed: seed() }));
  const user = "/users/auth0%7Cmany/permissions";

  it("without include_totals the answer is a bare array", async () => {
    const result = await env.client.api("GET", `${user}?per_page=5`);
    expect(Array.isArray(result.json)).toBe(true);
    expect(result.json).toHaveLength(5);
  });

  it("include_totals=true answers {permissions, start, limit, total} with start = page * per_page", async () => {
    const result = await env.client.api("GET", `${user}?include_totals=true&page=2&per_page=50`);
    const page = result.json as Page;
    expect({ start: page.start, limit: page.limit, total: page.total, length: page.permissions.length }).toEqual({
      start: 100,
      limit: 50,
      total: 120,
      length: 20,
    });
    expect(page.permissions[0]?.permission_name).toBe("p:100");
  });

  it("per_page defaults to 50 and page to 0", async () => {
    const page = (await env.client.api("GET", "/roles/rol_many/permissions?include_totals=true")).json as Page;
    expect([page.start, page.limit, page.permissions.length]).toEqual([0, 50, 50]);
  });

  it("walking pages of 100 returns every permission exactly once", async () => {
    const seen: string[] = [];
    for (let page = 0; ; page += 1) {
      const body = (
        await env.client.api("GET", `/roles/rol_many/permissions?include_totals=true&per_page=100&page=${page}`)
      ).json as Page;
      seen.push(...body.permissions.map((entry) => entry.permission_name));
      if (body.start + body.limit >= body.total) break;
    }
    expect(seen).toEqual(names);
  });

  it("a page past the end is empty, with start = page * per_page", async () => {
    const page = (await env.client.api("GET", `${user}?include_totals=true&page=7&per_page=100`)).json as Page;
    expect(page).toEqual({ permissions: [], start: 700, limit: 100, total: 120 });
  });

  it("per_page above 100 answers 400 invalid_query_string by default", async () => {
    const result = await env.client.api("GET", `${user}?per_page=101`);
    expectAnswerLike(result, 400, {
      statusCode: 400,
      error: "Bad Request",
      errorCode: "invalid_query_string",
      message: "Query validation error: 'Value 101 is greater than maximum 100' on property per_page.",
    });
  });

  it.each([
    ["per_page=0", "per_page"],
    ["per_page=abc", "per_page"],
    ["page=-1", "page"],
    ["include_totals=yes", "include_totals"],
  ])("an invalid paging value (%s) answers 400 invalid_query_string", async (query, property) => {
    const result = await env.client.api("GET", `${user}?${query}`);
    expectAnswerLike(result, 400, { errorCode: "invalid_query_string" });
    expect((result.json as { message: string }).message).toContain(`on property ${property}`);
  });

  it("an unknown query parameter answers 400 'Additional properties not allowed'", async () => {
    const result = await env.client.api("GET", `${user}?perPage=10`);
    expectAnswerLike(result, 400, {
      errorCode: "invalid_query_string",
      message: "Query validation error: 'Additional properties not allowed: perPage'.",
    });
  });
});

describe("pagination with perPageAboveMaximum: clamp", () => {
  const env = useEmulator(() => ({ seed: seed(), perPageAboveMaximum: "clamp" }));
  it("per_page above 100 is served as 100", async () => {
    const page = (await env.client.api("GET", "/users/auth0%7Cmany/permissions?include_totals=true&per_page=500"))
      .json as Page;
    expect([page.limit, page.permissions.length]).toEqual([100, 100]);
  });
});
