import { describe, expect, it } from "vitest";
import { unlistedRecord } from "../../../src/provider/role-permission-removal";

const API = "https://api.example.com";
const ps = (...names: string[]) => names.map((permissionName) => ({ resourceServerIdentifier: API, permissionName }));

describe("unlistedRecord: what an update of a removal may restore, and what stays handed over", () => {
  it("offers every recorded permission no longer listed when nothing was handed over", () => {
    expect(unlistedRecord(ps("a", "b", "c"), [], ps("a"))).toEqual({ dropped: ps("b", "c"), handedOver: [] });
  });

  it("never offers a handed-over permission again, so a later update does not restore it", () => {
    expect(unlistedRecord(ps("a", "b", "c"), ps("c"), ps("a", "d"))).toEqual({ dropped: ps("b"), handedOver: ps("c") });
  });

  it("a handed-over permission listed again is an ordinary recorded one", () => {
    expect(unlistedRecord(ps("a", "c"), ps("c"), ps("a", "c"))).toEqual({ dropped: [], handedOver: [] });
  });

  it("ignores a handed-over mark on a permission that is not recorded", () => {
    expect(unlistedRecord(ps("a"), ps("z"), [])).toEqual({ dropped: ps("a"), handedOver: [] });
  });
});
