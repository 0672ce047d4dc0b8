import type * as pulumi from "@pulumi/pulumi";
import type { DetailedDiff, PropertyDiffKind } from "./detailed-diff";
import { dynamicHost } from "./dynamic-host";

/**
 * Hands a detailed diff (./detailed-diff.ts) to the engine.
 *
 * @pulumi/pulumi's dynamic provider host (`cmd/dynamic-provider`, every version from 3.139.0 to 3.276.0 read)
 * copies only `changes`, `replaces` and `deleteBeforeReplace` of a DiffResult into its gRPC DiffResponse: a
 * `detailedDiff` would be dropped. So the result's `changes` is a getter. The host reads it and then, in the
 * same synchronous turn, calls `setChanges` on the response it is building; a wrapper around
 * `DiffResponse.prototype.setChanges` adds the detailed diff the getter handed over. Nothing else can run in
 * between, and a hand-over not taken in that turn is dropped, so a diff never reaches another resource's
 * response. Outside that host, or with a host whose response lacks these methods, nothing is patched and the
 * engine shows its own diff: less readable, never wrong. The result also carries the detailed diff as a
 * non-enumerable `detailedDiff`, for tests and for the day the host forwards it itself.
 */
export function withDetailedDiff(
  result: pulumi.dynamic.DiffResult,
  detailed: DetailedDiff | undefined,
): pulumi.dynamic.DiffResult {
  if (result.changes !== true || detailed === undefined) return result;
  ensureBridge();
  const { changes, ...rest } = result;
  const bridged = { ...rest } as pulumi.dynamic.DiffResult;
  Object.defineProperty(bridged, "changes", {
    enumerable: true,
    get: () => {
      handOver(detailed);
      return changes;
    },
  });
  Object.defineProperty(bridged, "detailedDiff", { enumerable: false, value: detailed });
  return bridged;
}

interface DiffResponse {
  setChanges(value: number): unknown;
  setHasdetaileddiff(value: boolean): unknown;
  setDiffsList(value: string[]): unknown;
  getDetaileddiffMap(): { set(key: string, value: unknown): unknown };
}
interface ProviderProto {
  DiffResponse: { prototype: DiffResponse };
  PropertyDiff: { new (): { setKind(kind: number): unknown; setInputdiff(value: boolean): unknown } } & {
    Kind: Record<string, number>;
  };
}

const KIND_NAMES: Record<PropertyDiffKind, string> = {
  add: "ADD",
  addReplace: "ADD_REPLACE",
  delete: "DELETE",
  deleteReplace: "DELETE_REPLACE",
  update: "UPDATE",
  updateReplace: "UPDATE_REPLACE",
};
const PATCHED = Symbol.for("pulumi-auth0-permissions.detailedDiffBridge");

let pending: DetailedDiff | undefined;
let checked = false;

function handOver(detailed: DetailedDiff): void {
  pending = detailed;
  queueMicrotask(() => {
    if (pending === detailed) pending = undefined;
  });
}

/** Patches the host's DiffResponse once per process, when this runs inside the dynamic provider host. */
function ensureBridge(): void {
  if (checked) return;
  checked = true;
  const host = dynamicHost();
  if (host === undefined) return;
  let proto: ProviderProto;
  try {
    proto = host.require("../../proto/provider_pb") as ProviderProto;
  } catch {
    return;
  }
  const prototype = proto.DiffResponse?.prototype as (DiffResponse & { [PATCHED]?: true }) | undefined;
  if (!prototype || prototype[PATCHED] || !hasMethods(prototype) || typeof proto.PropertyDiff !== "function") return;
  const kinds = proto.PropertyDiff.Kind;
  if (!Object.values(KIND_NAMES).every((name) => typeof kinds?.[name] === "number")) return;
  const setChanges = prototype.setChanges;
  prototype.setChanges = function (this: DiffResponse, value: number) {
    const detailed = pending;
    pending = undefined;
    const returned = setChanges.call(this, value);
    if (detailed !== undefined) {
      const map = this.getDetaileddiffMap();
      for (const [key, diff] of Object.entries(detailed)) {
        const entry = new proto.PropertyDiff();
        entry.setKind(kinds[KIND_NAMES[diff.kind]]!);
        entry.setInputdiff(diff.inputDiff);
        map.set(key, entry);
      }
      this.setHasdetaileddiff(true);
      this.setDiffsList([...new Set(Object.keys(detailed).map((key) => key.split(/[.[]/)[0]!))]);
    }
    return returned;
  };
  prototype[PATCHED] = true;
}

function hasMethods(prototype: DiffResponse): boolean {
  return (["setChanges", "setHasdetaileddiff", "setDiffsList", "getDetaileddiffMap"] as const).every(
    (name) => typeof prototype[name] === "function",
  );
}
