import { describeHolder, type Holder } from "../client/permissions-api";
import { describePermission, type Permission } from "../permissions/permission";
import { DeploymentLedger, splitByClaims } from "./deployment-ledger";
import { HolderLocks } from "./holder-locks";

/**
 * Per-tenant coordination of the writes of one deployment: the writes to one user or role run one
 * at a time (HolderLocks), and a revoke or restore leaves alone what another resource written in
 * the same deployment declared (DeploymentLedger). One instance per tenant client, so per process.
 */
export class Coordination {
  readonly ledger = new DeploymentLedger();
  private readonly locks: HolderLocks;

  constructor(maxWaitMs: number) {
    this.locks = new HolderLocks(maxWaitMs);
  }

  /** Runs the writes of one resource step to one holder, after every earlier one. */
  exclusive<T>(holder: Holder, work: () => Promise<T>): Promise<T> {
    return this.locks.exclusive(holder, work);
  }

  /**
   * Of the permissions a step would revoke from a user (or restore to a role), those it may write.
   * The others are declared by another resource written in this deployment; `log` names them.
   */
  writable(
    holder: Holder,
    permissions: readonly Permission[],
    log: (line: string) => void,
    verb: "revoke" | "restore",
  ): { write: Permission[]; leave: Permission[] } {
    const split = splitByClaims(permissions, this.ledger.claimed(holder));
    if (split.leave.length > 0) {
      const owner =
        holder.kind === "user"
          ? "another UserPermissions of this deployment grants"
          : "another RolePermissionRemoval of this deployment keeps off";
      log(
        `did not ${verb} ${split.leave.map(describePermission).join(", ")} for ${describeHolder(holder)}: ` +
          `${owner} ${split.leave.length === 1 ? "it" : "them"}.`,
      );
    }
    return split;
  }
}
