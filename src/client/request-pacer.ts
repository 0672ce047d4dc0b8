import type { Clock } from "./clock";
import { BucketModel, MIN_RATE_LIMIT_DELAY_MS, type StartTicket } from "./rate-limit/bucket-model";
import { parseRateLimitHeaders } from "./rate-limit/observation";
import { StartScheduler } from "./rate-limit/scheduler";
import type { AttemptOutcome } from "./retry-policy";

export { StartDeadlineError } from "./rate-limit/scheduler";

export interface PacerOptions {
  /** Fixed cap on request starts per second; 0 = none (pace by the tenant's headers only). */
  readonly requestsPerSecond: number;
  readonly maxConcurrentRequests: number;
  /** Longest single wait on a hint (`Retry-After`, `x-ratelimit-reset`, the learned refill): `maxRetryDelayMs`. */
  readonly maxWaitMs: number;
}

/** Leave to send one attempt; hand its outcome back with `report`, once. */
export interface Permit {
  /** The attempt's outcome: learns from the answer's headers and frees the slot. Later calls do nothing. */
  report(outcome: AttemptOutcome): void;
}

/**
 * The rate-limit boundary: everything that decides when a request to one tenant may go. Shared by
 * every resource of a deployment, so a large stack keeps to the tenant's limit instead of tripping it.
 * A client makes one call per attempt, `permit`, which resolves when the attempt may be sent, and one
 * call with its outcome, `Permit.report`. Inside: each answer's headers are parsed once into an
 * observation (`rate-limit/observation.ts`), a pure model of the tenant's token bucket decides when
 * the next start may go (`rate-limit/bucket-model.ts`), and a scheduler holds the queue of waiting
 * attempts, first come, first served (`rate-limit/scheduler.ts`).
 *
 * After a 429 the attempt that met it is sent again through `permit` like any other: the model holds
 * every attempt for the one wait the 429 asks for, so there is no second pause on the client's side.
 */
export class RequestPacer {
  private readonly model: BucketModel;
  private readonly scheduler: StartScheduler<StartTicket>;

  constructor(
    options: PacerOptions,
    private readonly clock: Clock,
    private readonly random: () => number,
  ) {
    this.model = new BucketModel({ ...options, minRateLimitDelayMs: MIN_RATE_LIMIT_DELAY_MS });
    this.scheduler = new StartScheduler(this.model, clock);
  }

  /**
   * Resolves when one attempt may be sent. Rejects with StartDeadlineError, as soon as that is known,
   * when the rate limit would hold it beyond `deadline` (epoch ms).
   */
  async permit(deadline: number): Promise<Permit> {
    const ticket = await this.scheduler.start(deadline);
    let reported = false;
    return {
      report: (outcome) => {
        if (reported) return;
        reported = true;
        if (outcome.kind === "response") {
          const observation = parseRateLimitHeaders(outcome.status, outcome.headers, this.clock.now());
          this.model.answered(
            ticket,
            observation,
            this.scheduler.inFlight() - 1,
            observation.rejected ? this.random() : 0,
          );
        }
        this.scheduler.finished();
      },
    };
  }

  /** Tokens per second the pacer has learned the tenant refills (0 = not known yet); for diagnostics. */
  learnedRequestsPerSecond(): number {
    return this.model.learnedRequestsPerSecond();
  }
}
