import type { Clock } from "../clock";

/** What the scheduler asks before it lets a request go; the bucket model answers. */
export interface StartGate<Ticket> {
  /** Requests allowed in flight at once. */
  capacity(): number;
  /** The earliest time the next request may start. */
  nextStartAt(now: number): number;
  /** A request starts at `now`. */
  started(now: number): Ticket;
}

/** The wait for a start would end after the caller's deadline. */
export class StartDeadlineError extends Error {
  constructor(
    /** When the request could have started at the earliest, as far as was known (epoch ms). */
    readonly earliestStartAt: number,
  ) {
    super("the rate limit would hold this request beyond its deadline");
    this.name = "StartDeadlineError";
  }
}

interface Waiter<Ticket> {
  readonly deadline: number;
  readonly resolve: (ticket: Ticket) => void;
  readonly reject: (error: StartDeadlineError) => void;
}

/**
 * The queue of requests waiting to start, first come, first served. It holds no policy: the gate
 * says how many may run and when the next may go; the scheduler waits for that (or for a `wake`,
 * when an answer may have changed the picture), and turns away a waiter whose deadline comes
 * before its start could, at once rather than at the deadline when that is already known.
 */
export class StartScheduler<Ticket> {
  private running = 0;
  private readonly queue: Waiter<Ticket>[] = [];
  private pumping = false;
  /** Ends the pump's current wait early (and clears its timer, where the clock supports that). */
  private interrupt: { readonly controller: AbortController; readonly resolve: () => void } | undefined;

  constructor(
    private readonly gate: StartGate<Ticket>,
    private readonly clock: Clock,
  ) {}

  /** Requests started and not yet finished. */
  inFlight(): number {
    return this.running;
  }

  /** Waits for a start no later than `deadline` (epoch ms); rejects with StartDeadlineError otherwise. */
  start(deadline: number): Promise<Ticket> {
    return new Promise<Ticket>((resolve, reject) => {
      this.queue.push({ deadline, resolve, reject });
      void this.pump();
    });
  }

  /** A started request has finished. Call `wake` too if the gate learned something. */
  finished(): void {
    this.running = Math.max(0, this.running - 1);
    this.wake();
  }

  /** The gate's answer may have changed: look again now instead of at the end of the current wait. */
  wake(): void {
    const interrupt = this.interrupt;
    this.interrupt = undefined;
    interrupt?.controller.abort();
    interrupt?.resolve();
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0) {
        const now = this.clock.now();
        const free = this.running < this.gate.capacity();
        // With a free slot the head goes at `startAt`; without, not before a slot frees (after now).
        const startAt = free ? Math.max(now, this.gate.nextStartAt(now)) : undefined;
        this.turnAway(startAt, now);
        const head = this.queue[0];
        if (head === undefined) break;
        if (startAt === now) {
          this.queue.shift();
          this.running++;
          head.resolve(this.gate.started(now));
          continue;
        }
        // Wait for the start time, for the nearest deadline (to turn that waiter away), or for a wake.
        const nearestDeadline = Math.min(...this.queue.map((w) => w.deadline));
        const until = Math.min(startAt ?? Infinity, nearestDeadline + 1);
        const controller = new AbortController();
        const woken = new Promise<void>((resolve) => (this.interrupt = { controller, resolve }));
        await Promise.race([this.clock.sleep(until - now, controller.signal), woken]);
        controller.abort();
        this.interrupt = undefined;
      }
    } finally {
      this.pumping = false;
    }
  }

  /** Rejects every waiter whose deadline comes before it could start: the head's start, or later for those behind. */
  private turnAway(startAt: number | undefined, now: number): void {
    const earliest = startAt ?? now + 1;
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const waiter = this.queue[i]!;
      if (waiter.deadline < earliest) {
        this.queue.splice(i, 1);
        waiter.reject(new StartDeadlineError(earliest));
      }
    }
  }
}
