import { AsyncLocalStorage } from "node:async_hooks";
import type { DynamicHost } from "./dynamic-host";

/**
 * Which resource the code running now works for: the URN of the engine's request being served, so that a
 * line the provider prints (a retry, a drift warning) can be attached to that resource (engine-log.ts).
 *
 * The handlers never see the request: the host passes them inputs and state only. But the host's first
 * statements for every request read it (`req.getOlds()`, `req.getProperties()`, `req.getId()`), in the
 * request's own async context, before it calls the provider. So those getters of the host's request
 * messages are wrapped to enter the request's URN into an AsyncLocalStorage; everything the handler then
 * runs, awaits included, sees it. Each request enters its own URN before any of this package's code runs
 * for it, so a URN left in the context by an earlier request is always replaced first.
 *
 * Read from @pulumi/pulumi 3.139.0, 3.259.0 and 3.276.0: `check` reads `getOlds`, `diff`, `update` and
 * `delete` also `getId` after the provider is loaded, `create` and `read` only before. The first request of
 * a process is served before this package is loaded, so it has no URN when it is a `check`, a `create` or a
 * `read` (the first `read` of a `pulumi refresh`; `check` prints nothing); it then logs as outside the host. A host without these
 * messages or getters is left alone, and `currentUrn()` stays undefined.
 */
const storage = new AsyncLocalStorage<string | undefined>();

/** The URN of the request being served, or undefined outside a recognised host's request. */
export function currentUrn(): string | undefined {
  return storage.getStore();
}

/** Runs `fn` as if serving a request for `urn` (for tests and for hosts that pass the URN themselves). */
export function withUrn<T>(urn: string, fn: () => T): T {
  return storage.run(urn, fn);
}

const REQUESTS = ["CheckRequest", "DiffRequest", "CreateRequest", "ReadRequest", "UpdateRequest", "DeleteRequest"];
const GETTERS = ["getOlds", "getNews", "getProperties", "getInputs", "getId"] as const;
const PATCHED = Symbol.for("pulumi-auth0-permissions.requestUrn");

type RequestPrototype = Record<string, unknown> & { getUrn?: unknown; [PATCHED]?: true };

/** Wraps the host's request getters once per process; false when the host's messages are not recognised. */
export function trackRequestUrns(host: DynamicHost): boolean {
  let proto: Record<string, { prototype?: RequestPrototype } | undefined>;
  try {
    proto = host.require("../../proto/provider_pb") as typeof proto;
  } catch {
    return false;
  }
  const prototypes = REQUESTS.map((name) => proto[name]?.prototype);
  if (!prototypes.every((p): p is RequestPrototype => typeof p?.getUrn === "function")) return false;
  for (const prototype of prototypes) {
    if (prototype[PATCHED]) continue;
    for (const name of GETTERS) {
      const original = prototype[name];
      if (typeof original !== "function") continue;
      prototype[name] = function (this: { getUrn(): unknown }, ...args: unknown[]) {
        // A request without a URN enters none, rather than keeping the one an earlier request left.
        const urn = this.getUrn();
        storage.enterWith(typeof urn === "string" && urn !== "" ? urn : undefined);
        return (original as (...a: unknown[]) => unknown).apply(this, args);
      };
    }
    prototype[PATCHED] = true;
  }
  return true;
}
