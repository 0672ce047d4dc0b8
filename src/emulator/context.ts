import type { Socket } from "node:net";
import type { AssertionVerifier } from "./client-assertion";
import type { FaultRegistry } from "./faults";
import type { ResolvedEmulatorOptions } from "./options";
import type { PermissionComparator } from "./order";
import type { TokenBucket } from "./rate-limiter";
import type { RequestLog } from "./request-log";
import type { TenantStore } from "./store";
import type { TokenIssuer } from "./tokens";
import type { SeedRules } from "./seed";
import type { SeedClient, SeedDocument } from "./types";

/** Everything a request handler may touch. `store` and `limiter` are replaced by reset, seed and setRateLimit. */
export interface EmulatorContext {
  readonly options: ResolvedEmulatorOptions;
  /** `localhost:PORT`, what a user puts in `auth0:domain`. */
  readonly domain: string;
  /** Audiences POST /oauth/token accepts: `https://{domain}/api/v2/` (and the http:// form in plain-HTTP mode). */
  readonly audiences: readonly string[];
  /** Default client plus the start-time seed: what `reset` returns to. */
  readonly baseDocument: SeedDocument;
  /** The client printed at start, holding every scope the emulator checks. */
  readonly defaultClient: SeedClient;
  readonly tokens: TokenIssuer;
  /** Checks Private Key JWT client assertions and remembers their `jti`s. */
  readonly assertions: AssertionVerifier;
  /** Order of permission lists (option `permissionOrder`). */
  readonly order: PermissionComparator;
  /** What `buildStore` needs besides the document: option rules and the built-in Management API identifier. */
  readonly seedRules: SeedRules;
  /** Names the `Host` header of a control-surface call may carry: `localhost:PORT`, `127.0.0.1:PORT`. */
  readonly hostNames: ReadonlySet<string>;
  readonly faults: FaultRegistry;
  readonly log: RequestLog;
  /** Aborts a request's TCP connection with a reset (RST), not a clean close. */
  readonly resetConnection: (socket: Socket) => void;
  store: TenantStore;
  limiter: TokenBucket | undefined;
}
