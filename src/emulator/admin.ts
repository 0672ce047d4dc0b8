import type { EmulatorContext } from "./context";
import { resolveRateLimit, type RateLimitSettings } from "./options";
import { TokenBucket } from "./rate-limiter";
import { buildStore, mergeSeed, parseSeed, SeedError } from "./seed";
import type { FaultSpec, RateLimitUpdate, RequestLogEntry, SeedDocument, TenantState } from "./types";

/**
 * The control surface, in process. `POST /__admin/...` offers the same calls over HTTP. Every call takes
 * effect at once; invalid input throws (`SeedError`, `FaultError` or `TypeError`) and changes nothing.
 */
export interface EmulatorAdmin {
  /**
   * Back to the state at start (default client plus the `seed` option); clears faults and the request log
   * and refills the rate-limit bucket. Issued tokens stay valid.
   */
  reset(): void;
  /**
   * Adds to the tenant: an entity whose key exists is replaced whole. With `replace: true`, the tenant
   * becomes the default client plus this seed.
   */
  seed(seed: SeedDocument, options?: { replace?: boolean }): void;
  /** The tenant, in the seed shape. */
  state(): TenantState;
  /** Every request served since start or the last clear, oldest first; control-surface calls are not logged. */
  requests(): RequestLogEntry[];
  clearRequests(): void;
  addFault(fault: FaultSpec): void;
  clearFaults(): void;
  /** A profile name or a custom bucket; the new bucket starts full. */
  setRateLimit(update: RateLimitUpdate): void;
  /** Every token issued so far answers 401 "Expired token..." from now on. */
  expireTokens(): void;
}

function bucket(context: EmulatorContext, settings: RateLimitSettings | undefined): TokenBucket | undefined {
  return settings === undefined
    ? undefined
    : new TokenBucket(settings, context.options.now, context.options.rateLimitReset);
}

function rateLimitSettings(update: RateLimitUpdate): RateLimitSettings | undefined {
  if (typeof update !== "object" || update === null) throw new TypeError("Send {profile} or {burst, per_second}");
  if ("profile" in update) return resolveRateLimit(update.profile);
  if ("burst" in update && "per_second" in update) {
    return resolveRateLimit({ burst: update.burst, perSecond: update.per_second });
  }
  throw new TypeError("Send {profile: none|free|enterprise} or {burst, per_second}");
}

export function createAdmin(context: EmulatorContext): EmulatorAdmin {
  const rebuild = (document: SeedDocument): void => {
    context.store = buildStore(document, context.seedRules);
  };
  return {
    reset() {
      rebuild(context.baseDocument);
      context.faults.clear();
      context.log.clear();
      context.limiter = bucket(context, context.options.rateLimit);
    },
    seed(seed, options = {}) {
      const parsed = parseSeed(seed);
      const base: SeedDocument =
        options.replace === true ? { clients: [context.defaultClient] } : context.store.toState();
      rebuild(mergeSeed(base, parsed));
    },
    state: () => context.store.toState(),
    requests: () => context.log.list(),
    clearRequests: () => context.log.clear(),
    addFault: (fault) => context.faults.add(fault),
    clearFaults: () => context.faults.clear(),
    setRateLimit(update) {
      context.limiter = bucket(context, rateLimitSettings(update));
    },
    expireTokens: () => context.tokens.expireAll(),
  };
}

export { SeedError };
