import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Auth0PermissionsError } from "../../../src/errors";
import {
  canonicalize,
  chunk,
  difference,
  intersection,
  isPermissionSet,
  samePermissions,
  union,
} from "../../../src/permissions/permission-set";

const p = (resourceServerIdentifier: string, permissionName: string) => ({ resourceServerIdentifier, permissionName });

describe("permission sets", () => {
  it("canonicalize removes duplicates and sorts by API, then by name, in code-unit order", () => {
    const result = canonicalize([
      p("https://b", "read:x"),
      p("https://a", "write:x"),
      p("https://a", "read:x"),
      p("https://b", "read:x"),
    ]);
    expect(result).toEqual([p("https://a", "read:x"), p("https://a", "write:x"), p("https://b", "read:x")]);
  });

  it("compares identifiers exactly: case and unicode forms are distinct permissions", () => {
    const result = canonicalize([
      p("https://a", "Read:x"),
      p("https://a", "read:x"),
      p("https://a", "caf\u00e9"),
      p("https://a", "cafe\u0301"),
    ]);
    expect(result).toHaveLength(4);
  });

  it("keeps parts apart: a separator inside a name never makes two permissions equal", () => {
    expect(samePermissions([p("a|b", "c")], [p("a", "b|c")])).toBe(false);
  });

  it("treats order and duplicates as no difference", () => {
    expect(samePermissions([p("a", "1"), p("b", "2")], [p("b", "2"), p("a", "1"), p("a", "1")])).toBe(true);
    expect(samePermissions([p("a", "1")], [p("a", "1"), p("a", "2")])).toBe(false);
  });

  it("is a canonical, immutable set: canonicalize returns a set unchanged, and no one can alter it", () => {
    const set = canonicalize([p("b", "1"), p("a", "1")]);
    expect(isPermissionSet(set)).toBe(true);
    expect(canonicalize(set)).toBe(set);
    expect(Object.isFrozen(set) && set.every((x) => Object.isFrozen(x))).toBe(true);
    expect(() => (set as unknown as unknown[]).push(p("c", "1"))).toThrow(TypeError);
    expect(isPermissionSet([p("a", "1")])).toBe(false);
    expect(JSON.stringify(set)).toBe(JSON.stringify([p("a", "1"), p("b", "1")])); // written to state as before
  });

  it("difference, intersection and union agree with their definitions on any lists", () => {
    const permission = fc.record({
      resourceServerIdentifier: fc.constantFrom("https://a", "https://b", "https://a|b"),
      permissionName: fc.constantFrom("read:x", "Read:x", "write:x", "x", ""),
    });
    const key = (x: { resourceServerIdentifier: string; permissionName: string }) =>
      JSON.stringify([x.resourceServerIdentifier, x.permissionName]);
    fc.assert(
      fc.property(fc.array(permission), fc.array(permission), (a, b) => {
        const inB = new Set(b.map(key));
        const inA = new Set(a.map(key));
        expect(difference(a, b)).toEqual(canonicalize(a.filter((x) => !inB.has(key(x)))));
        expect(intersection(a, b)).toEqual(canonicalize(a.filter((x) => inB.has(key(x)))));
        expect(union(a, b)).toEqual(canonicalize([...a, ...b]));
        expect(samePermissions(a, b)).toBe(inA.size === inB.size && [...inA].every((k) => inB.has(k)));
      }),
      { numRuns: 300 },
    );
    expect(difference([p("a", "1")], [p("a", "1")])).toEqual([]);
  });

  it("chunks a list into batches of at most the given size", () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunk([], 3)).toEqual([]);
    expect(() => chunk([1], 0)).toThrow(Auth0PermissionsError);
  });
});
