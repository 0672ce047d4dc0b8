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
 * when an answer may have changed the picture). A waiter whose deadline comes before the gate's
 * start time is turned away at once when no answer is pending (none can bring the start forward),
 * else at its deadline. Behind busy slots no timer runs: a
 * waiter whose deadline passed is turned away when the queue next moves (a slot frees, an answer
 * arrives or a request joins), so within one attempt's time, since every attempt is bounded.
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
        if (this.running >= this.gate.capacity()) {
          // No slot: nothing starts before one frees (`finished` runs the pump again). Until then a
          // waiter can't start, so one whose deadline has passed is turned away now.
          this.turnAway(now + 1);
          break;
        }
        const startAt = Math.max(now, this.gate.nextStartAt(now));
        // The head goes at `startAt`, those behind it no earlier. With no answer pending, nothing can bring
        // that forward: turn away now whoever would miss their deadline. Otherwise wait for the deadline.
        const settled = this.running === 0;
        this.turnAway(settled ? startAt : now + 1);
        const head = this.queue[0];
        if (head === undefined) break;
        if (startAt === now) {
          this.queue.shift();
          this.running++;
          head.resolve(this.gate.started(now));
          continue;
        }
        // Wait for the start time, for the nearest deadline, or for a wake (an answer may bring the start forward).
        const until = settled ? startAt : Math.min(startAt, this.nearestDeadline() + 1);
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

  private nearestDeadline(): number {
    let nearest = Infinity;
    for (const waiter of this.queue) nearest = Math.min(nearest, waiter.deadline);
    return nearest;
  }

  /** Rejects every waiter whose deadline comes before `earliest`, the soonest any of them could start. */
  private turnAway(earliest: number): void {
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const waiter = this.queue[i]!;
      if (waiter.deadline < earliest) {
        this.queue.splice(i, 1);
        waiter.reject(new StartDeadlineError(earliest));
      }
    }
  }
}
