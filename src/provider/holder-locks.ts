import { Auth0PermissionsError } from "../errors";
import { describeHolder, type Holder } from "../client/permissions-api";

/**
 * Serializes the writes to one user or one role within the provider process. Pulumi runs the steps
 * of a deployment concurrently, and every resource of the deployment shares this process, so two
 * resources writing to the same user (one revoking, one granting) run one after the other here,
 * each seeing what the other did (see deployment-ledger.ts for why order alone is not enough).
 *
 * Every wait is bounded: a write that waits longer than `maxWaitMs` for the writes queued before
 * it fails with a clear error instead of hanging the deployment. The work itself is bounded by the
 * client's request budgets.
 */
export class HolderLocks {
  private readonly tails = new Map<string, Promise<void>>();

  constructor(private readonly maxWaitMs: number) {}

  /** Runs `work` once every earlier write to the same holder has finished. */
  async exclusive<T>(holder: Holder, work: () => Promise<T>): Promise<T> {
    const key = holderKey(holder);
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    this.tails.set(key, tail);
    try {
      await waitAtMost(previous, this.maxWaitMs, holder);
      return await work();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}

/** One key per user or role of a tenant (the locks and the ledger belong to one tenant). */
export function holderKey(holder: Holder): string {
  return `${holder.kind}\u0000${holder.id}`;
}

async function waitAtMost(previous: Promise<void>, maxWaitMs: number, holder: Holder): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Auth0PermissionsError(
            `Waited ${Math.round(maxWaitMs / 1000)} s for other resources of this deployment to finish writing to ` +
              `${describeHolder(holder)}; nothing was sent for this one. Run \`pulumi up\` again, or lower the ` +
              "number of resources writing to it in one deployment.",
          ),
        ),
      maxWaitMs,
    );
    timer.unref?.();
  });
  try {
    await Promise.race([previous, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
