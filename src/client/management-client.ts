import type { Settings } from "../config/settings";
import type { Clock } from "./clock";
import { Auth0ApiError, Auth0NetworkError, type OperationContext } from "../errors";
import { Redactor } from "./redact";
import { RequestPacer } from "./request-pacer";
import {
  BASE_BACKOFF_MS,
  MIN_RATE_LIMIT_DELAY_MS,
  decideRetry,
  type AttemptOutcome,
  type RetryPolicy,
} from "./retry-policy";
import { TokenCache } from "./token-cache";
import { tokenIssuer } from "./token-request";
import { TransportError, type HttpRequest, type HttpResponse, type Transport } from "./transport";

export interface ClientDependencies {
  readonly transport: Transport;
  readonly clock: Clock;
  /** Jitter source, [0, 1). */
  readonly random: () => number;
  /** One line of diagnostics; already redacted. */
  readonly log: (line: string) => void;
}

export interface ApiRequest {
  readonly method: "GET" | "POST" | "DELETE";
  readonly path: string;
  readonly json?: unknown;
  readonly context: OperationContext;
}

/**
 * An authenticated Management API client for one tenant: token cache, pacing and retries.
 * One instance per tenant is shared by every resource in the provider process.
 */
export class ManagementClient {
  readonly domain: string;
  private readonly tokens: TokenCache | undefined;
  private readonly pacer: RequestPacer;
  private readonly policy: RetryPolicy;
  private readonly redactor = new Redactor();

  constructor(
    private readonly settings: Settings,
    private readonly deps: ClientDependencies,
  ) {
    this.domain = settings.domain;
    const { tuning, credentials } = settings;
    this.policy = {
      maxRetries: tuning.maxRetries,
      retryBudgetMs: tuning.retryBudgetMs,
      maxRetryDelayMs: tuning.maxRetryDelayMs,
      baseDelayMs: BASE_BACKOFF_MS,
      minRateLimitDelayMs: MIN_RATE_LIMIT_DELAY_MS,
    };
    this.pacer = new RequestPacer(
      {
        requestsPerSecond: tuning.requestsPerSecond,
        maxConcurrentRequests: tuning.maxConcurrentRequests,
        maxWaitMs: tuning.maxRetryDelayMs,
      },
      deps.clock,
    );
    if (credentials.kind !== "apiToken") {
      const issue = tokenIssuer(credentials, {
        send: (request, context) => this.sendWithRetries(request, context, { paced: false }),
        redactor: this.redactor,
        domain: this.domain,
        now: () => deps.clock.now(),
      });
      this.tokens = new TokenCache(issue, deps.clock);
    } else {
      this.redactor.add(credentials.apiToken);
    }
  }

  /** Sends an authenticated request; resolves with a 2xx response or throws a typed error. */
  async request(request: ApiRequest): Promise<HttpResponse> {
    let refreshedAfter401 = false;
    for (;;) {
      const token = await this.accessToken();
      const { response, attempts } = await this.sendWithRetries(
        {
          method: request.method,
          path: request.path,
          json: request.json,
          headers: { Authorization: `Bearer ${token}` },
        },
        request.context,
      );
      if (response.status === 401 && this.tokens && !refreshedAfter401) {
        // The token may have expired or been revoked early: fetch a new one, once.
        this.tokens.invalidate(token);
        refreshedAfter401 = true;
        this.log(`${request.method} ${request.path} got 401; fetching a new access token and trying once more`);
        continue;
      }
      if (response.status >= 200 && response.status < 300) return response;
      throw this.apiError(request, response, attempts);
    }
  }

  private async accessToken(): Promise<string> {
    if (this.tokens) return this.tokens.get();
    if (this.settings.credentials.kind === "apiToken") return this.settings.credentials.apiToken;
    throw new Error("unreachable: no credentials");
  }

  /**
   * One logical request: pacing, the attempt, and retries as decided by the retry policy.
   * The token endpoint is not paced: Auth0 limits it separately from the Management API.
   */
  private async sendWithRetries(
    request: HttpRequest,
    context: OperationContext,
    { paced }: { paced: boolean } = { paced: true },
  ): Promise<{ response: HttpResponse; attempts: number }> {
    const { clock } = this.deps;
    const startedAt = clock.now();
    for (let attempts = 1; ; attempts++) {
      const release = paced ? await this.pacer.acquire() : () => {};
      let outcome: AttemptOutcome;
      let response: HttpResponse | undefined;
      let failure: TransportError | undefined;
      const sentAt = clock.now();
      try {
        response = await this.deps.transport(request);
        if (paced) {
          this.pacer.observe(response.headers);
          // Hold every caller back before this slot is released: those queued behind it would
          // otherwise start at once (a 429 without x-ratelimit-remaining leaves the bucket
          // unknown), before the retry decision below sets the full pause.
          if (response.status === 429) this.pacer.pause(this.policy.minRateLimitDelayMs);
        }
        outcome = { kind: "response", status: response.status, headers: response.headers };
      } catch (error) {
        if (!(error instanceof TransportError)) throw error;
        failure = error;
        outcome = { kind: "network", code: error.code };
      } finally {
        release();
      }
      if (this.settings.debug) {
        this.log(
          `${request.method} ${request.path} -> ${response?.status ?? failure?.code} (${clock.now() - sentAt} ms)`,
        );
      }
      const now = clock.now();
      const decision = decideRetry(
        { outcome, attempts, elapsedMs: now - startedAt, nowMs: now, random: this.deps.random() },
        this.policy,
      );
      if (!decision.retry) {
        if (response) return { response, attempts };
        throw new Auth0NetworkError({
          context,
          method: request.method,
          path: request.path,
          code: outcome.kind === "network" ? outcome.code : "ERR_NETWORK",
          attempts,
          cause: failure,
        });
      }
      if (paced && outcome.kind === "response" && outcome.status === 429) this.pacer.pause(decision.delayMs);
      this.log(
        `${request.method} ${request.path}: ${decision.reason}; retry ${attempts}/${this.policy.maxRetries} in ` +
          `${(decision.delayMs / 1000).toFixed(1)} s (${context.action} ${context.target})`,
      );
      await clock.sleep(decision.delayMs);
    }
  }

  private apiError(request: ApiRequest, response: HttpResponse, attempts: number): Auth0ApiError {
    const body = (typeof response.data === "object" && response.data !== null ? response.data : {}) as {
      message?: unknown;
      errorCode?: unknown;
    };
    const auth0Message = this.redactor.redactField(body.message);
    const errorCode = this.redactor.redactField(body.errorCode);
    return new Auth0ApiError({
      context: request.context,
      method: request.method,
      path: request.path,
      status: response.status,
      errorCode,
      auth0Message,
      attempts,
      hint: hintFor(response.status, errorCode, request.method, this.settings.credentials.kind),
    });
  }

  private log(line: string): void {
    this.deps.log(this.redactor.redact(line));
  }
}

function hintFor(
  status: number,
  errorCode: string | undefined,
  method: string,
  credentials: string,
): string | undefined {
  if (status === 403 || errorCode === "insufficient_scope") {
    const scopes = method === "GET" ? "read:users and read:roles" : "update:users and update:roles";
    return `Grant the application the Management API scopes ${scopes} (Dashboard > Applications > APIs > Auth0 Management API).`;
  }
  if (status === 401) {
    return credentials === "apiToken"
      ? "auth0:apiToken was rejected; it may have expired. Prefer auth0:clientId and auth0:clientSecret, which are refreshed automatically."
      : "The access token was rejected twice; check auth0:audience and the application's authorization for the Management API.";
  }
  if (status === 429)
    return "The tenant's rate limit was hit on every retry; set pulumi-auth0-permissions:requestsPerSecond to your plan's rate (e.g. 2 on the free plan), or run `pulumi up` again later.";
  return undefined;
}
