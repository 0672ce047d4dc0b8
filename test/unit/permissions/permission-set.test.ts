import { describe, expect, it } from "vitest";
import { canonicalize, chunk, difference, planChanges, samePermissions } from "../../../src/permissions/permission-set";

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

  it("plans exactly the difference between current and desired", () => {
    expect(planChanges([p("a", "1"), p("a", "2")], [p("a", "2"), p("a", "3")])).toEqual({
      toAdd: [p("a", "3")],
      toRemove: [p("a", "1")],
    });
    expect(difference([p("a", "1")], [p("a", "1")])).toEqual([]);
  });

  it("chunks a list into batches of at most the given size", () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunk([], 3)).toEqual([]);
    expect(() => chunk([1], 0)).toThrow(RangeError);
  });
});
