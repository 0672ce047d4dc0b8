import type { Settings } from "../config/settings";
import type { Clock } from "./clock";
import {
  Auth0ApiError,
  Auth0NetworkError,
  ConfigurationError,
  RetryBudgetError,
  type OperationContext,
} from "../errors";
import { Redactor } from "./redact";
import { RequestPacer, StartDeadlineError, type Permit } from "./request-pacer";
import { BASE_BACKOFF_MS, decideRetry, type AttemptOutcome, type RetryPolicy } from "./retry-policy";
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
  /** The token endpoint has a bucket of its own at Auth0, so a pacer of its own here. */
  private readonly tokenPacer: RequestPacer;
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
    };
    this.pacer = new RequestPacer(
      {
        requestsPerSecond: tuning.requestsPerSecond,
        maxConcurrentRequests: tuning.maxConcurrentRequests,
        maxWaitMs: tuning.maxRetryDelayMs,
      },
      deps.clock,
      deps.random,
    );
    this.tokenPacer = new RequestPacer(
      { requestsPerSecond: 0, maxConcurrentRequests: 1, maxWaitMs: tuning.maxRetryDelayMs },
      deps.clock,
      deps.random,
    );
    if (credentials.kind !== "apiToken") {
      const issue = tokenIssuer(credentials, {
        send: (request, context) =>
          this.sendWithRetries(request, context, this.tokenPacer, this.deps.clock.now() + this.policy.retryBudgetMs),
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
    // One budget for the whole request: the pacer's waits, every attempt and retry, and the send again
    // after a 401. The token request has a budget of its own (see the constructor).
    const deadline = this.deps.clock.now() + this.policy.retryBudgetMs;
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
        this.pacer,
        deadline,
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
    const { credentials } = this.settings;
    if (credentials.kind === "apiToken") return credentials.apiToken;
    if (this.tokens === undefined) throw new ConfigurationError("No Auth0 credentials to get an access token with.");
    return this.tokens.get();
  }

  /**
   * One logical request: for each attempt, leave from the pacer, the attempt, its outcome back to the
   * pacer, then the retry policy's decision. `deadline` bounds it all: the pacer turns an attempt away
   * as soon as it knows it could not start in time (behind busy slots: when the next one frees), an
   * attempt still unanswered at the deadline is given up on, and the retry policy stops when a backoff
   * would end beyond it.
   */
  private async sendWithRetries(
    request: HttpRequest,
    context: OperationContext,
    pacer: RequestPacer,
    deadline: number,
  ): Promise<{ response: HttpResponse; attempts: number }> {
    const { clock } = this.deps;
    const budgetStartedAt = deadline - this.policy.retryBudgetMs;
    let last: HttpResponse | undefined;
    for (let attempts = 1; ; attempts++) {
      let permit: Permit;
      try {
        permit = await pacer.permit(deadline);
      } catch (error) {
        if (!(error instanceof StartDeadlineError)) throw error;
        // The last answer, a 429 held beyond the budget, says the most; with none, say what held it.
        if (last) return { response: last, attempts: attempts - 1 };
        throw this.budgetError(request, context, attempts - 1, "the tenant's rate limit held it back", error);
      }
      const sentAt = clock.now();
      let result: Awaited<ReturnType<ManagementClient["attempt"]>>;
      try {
        result = await this.attempt(request, deadline);
      } catch (error) {
        // Not an answer nor a network failure (e.g. the request could not be built): the slot must
        // still be given back, or every request queued behind it would wait forever.
        permit.report({ kind: "network", code: "ERR_INVALID_REQUEST" });
        throw error;
      }
      const outcome: AttemptOutcome =
        result.kind === "response"
          ? { kind: "response", status: result.response.status, headers: result.response.headers }
          : { kind: "network", code: result.kind === "network" ? result.error.code : "ETIMEDOUT" };
      permit.report(outcome);
      if (this.settings.debug) {
        this.log(
          `${request.method} ${request.path} -> ${outcome.kind === "response" ? outcome.status : outcome.code} ` +
            `(${clock.now() - sentAt} ms)`,
        );
      }
      if (result.kind === "deadline") {
        throw this.budgetError(request, context, attempts, "the last attempt was still waiting for an answer");
      }
      if (result.kind === "response") last = result.response;
      const decision = decideRetry(
        { outcome, attempts, elapsedMs: clock.now() - budgetStartedAt, random: this.deps.random() },
        this.policy,
      );
      if (!decision.retry) {
        if (result.kind === "response") return { response: result.response, attempts };
        throw new Auth0NetworkError({
          context,
          method: request.method,
          path: request.path,
          code: outcome.kind === "network" ? outcome.code : "ERR_NETWORK",
          attempts,
          cause: result.kind === "network" ? result.error : undefined,
        });
      }
      const when =
        decision.delayMs > 0 ? `in ${(decision.delayMs / 1000).toFixed(1)} s` : "when the tenant's rate limit allows";
      this.log(
        `${request.method} ${request.path}: ${decision.reason}; retry ${attempts}/${this.policy.maxRetries} ${when} ` +
          `(${context.action} ${context.target})`,
      );
      if (decision.delayMs > 0) await clock.sleep(decision.delayMs);
    }
  }

  /**
   * One attempt. The transport bounds it by `requestTimeoutMs`; when less of the budget is left than
   * that, the client stops waiting for it at the deadline.
   */
  private async attempt(
    request: HttpRequest,
    deadline: number,
  ): Promise<
    { kind: "response"; response: HttpResponse } | { kind: "network"; error: TransportError } | { kind: "deadline" }
  > {
    const sent = this.deps.transport(request).then(
      (response) => ({ kind: "response" as const, response }),
      (error: unknown) => {
        if (error instanceof TransportError) return { kind: "network" as const, error };
        throw error;
      },
    );
    const leftMs = deadline - this.deps.clock.now();
    if (leftMs >= this.settings.tuning.requestTimeoutMs) return sent;
    // Given up on at the deadline, the attempt may still fail later: that failure is nobody's to handle.
    sent.catch(() => undefined);
    const stop = new AbortController();
    const expired = this.deps.clock.sleep(leftMs, stop.signal).then(() => ({ kind: "deadline" as const }));
    try {
      return await Promise.race([sent, expired]);
    } finally {
      stop.abort();
    }
  }

  private budgetError(
    request: HttpRequest,
    context: OperationContext,
    attempts: number,
    why: string,
    cause?: unknown,
  ): RetryBudgetError {
    return new RetryBudgetError({
      context,
      method: request.method,
      path: request.path,
      attempts,
      budgetMs: this.policy.retryBudgetMs,
      why,
      cause,
    });
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
