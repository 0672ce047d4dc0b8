import type * as pulumi from "@pulumi/pulumi";
import type { Holder } from "../client/permissions-api";
import type { Permission } from "../permissions/permission";
import { canonicalize, difference, intersection, union } from "../permissions/permission-set";
import { permissionsDetailedDiff } from "./detailed-diff";
import { withDetailedDiff } from "./detailed-diff-bridge";
import { driftWarning } from "./drift-warning";
import { checkResourceInputs, permissionsChanged, replacesOnChange } from "./inputs";
import { holderGoneAfter } from "./holder-gone";
import { removeEach } from "./partial-failures";
import { PartialProgressError } from "./partial-progress";
import type { ProviderRuntime } from "./runtime";
import type { Handlers } from "./index";
import { STATE_SCHEMA_VERSION, assertSameTenant, parseUserState, type UserPermissionsState } from "./state";

/**
 * UserPermissions grants permissions directly to a user, non-authoritatively: only the listed
 * permissions are managed; anything else the user holds, directly or through roles, is never touched.
 * - create: POST the list (in batches).
 * - update: DELETE what left the list, then POST what joined it. A new list never replaces.
 * - read:   GET every page; a listed permission that is not a DIRECT grant is drift, recorded in
 *           `driftedPermissions` (the list itself stays whole). A deleted user removes the resource from state.
 * - delete: DELETE the listed permissions. A user that no longer exists counts as done.
 * - A new userId replaces the resource, delete-before-replace.
 */
export interface UserPermissionsInputs {
  readonly userId: string;
  readonly permissions: readonly Permission[];
}

const RESOURCE = "UserPermissions";

export const userPermissionsHandlers = (runtime: ProviderRuntime): Handlers => ({
  async check(_olds: unknown, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult> {
    return checkResourceInputs(news, "userId", runtime.settings);
  },

  async diff(id: string, stored: unknown, news: Record<string, unknown>): Promise<pulumi.dynamic.DiffResult> {
    const olds = parseUserState(stored, id);
    assertSameTenant(olds.domain, runtime.settings().domain, describe(olds.userId));
    const replaces = replacesOnChange("userId", olds.userId, news["userId"]);
    const result = {
      changes: replaces.length > 0 || permissionsChanged(granted(olds), news["permissions"]),
      replaces,
      // Create-before-delete on the same user would revoke what the new resource just granted.
      deleteBeforeReplace: true,
    };
    const scalars = replaces.map((property) => ({ property, replaces: true }));
    const detailed = permissionsDetailedDiff(olds.permissions, news["permissions"], scalars, olds.driftedPermissions);
    return withDetailedDiff(result, detailed);
  },

  async create(inputs: UserPermissionsInputs): Promise<pulumi.dynamic.CreateResult> {
    const { settings, api, coordination } = runtime.tenant();
    const holder = user(inputs.userId);
    const granted: Permission[] = [];
    return coordination.exclusive(holder, async () => {
      try {
        await api.add(holder, inputs.permissions, (batch) => granted.push(...batch));
      } catch (error) {
        if (granted.length === 0) throw error;
        coordination.ledger.claim(holder, granted);
        throw new PartialProgressError(
          error,
          inputs.userId,
          toState(settings.domain, inputs.userId, canonicalize(granted)),
          inputs,
        );
      }
      // From now on no other resource of this deployment revokes these (deployment-ledger.ts).
      coordination.ledger.claim(holder, inputs.permissions);
      return { id: inputs.userId, outs: toState(settings.domain, inputs.userId, inputs.permissions) };
    });
  },

  async read(id: string, stored: unknown): Promise<pulumi.dynamic.ReadResult> {
    const props = parseUserState(stored, id);
    const { settings, api, log } = runtime.tenant();
    assertSameTenant(props.domain, settings.domain, describe(props.userId));
    try {
      const drifted = difference(props.permissions, await api.list(user(props.userId)));
      const warning = driftWarning(
        describe(props.userId),
        drifted,
        "missing in Auth0 (driftedPermissions)",
        "grants them again",
      );
      if (warning !== undefined) log(warning);
      return { id, props: toState(settings.domain, props.userId, props.permissions, drifted) };
    } catch (error) {
      // Only Auth0's own "does not exist" (or GET /users/{id} confirming it) drops the resource from state.
      if (await holderGoneAfter(api, user(props.userId), error, "GET")) return { id: "" };
      throw error;
    }
  },

  async update(id: string, stored: unknown, news: UserPermissionsInputs): Promise<pulumi.dynamic.UpdateResult> {
    const olds = parseUserState(stored, id);
    const { settings, api, log, coordination } = runtime.tenant();
    assertSameTenant(olds.domain, settings.domain, describe(olds.userId));
    const holder = user(news.userId);
    return coordination.exclusive(holder, async () => {
      // Grant what is listed but not known to be granted (drift included); revoke everything no longer
      // listed, drifted or not (revoking an absent permission is a no-op), except what another resource
      // of this deployment grants: moving a permission between two resources must not lose it.
      const toAdd = difference(news.permissions, granted(olds));
      // `leave`: the other resource records them now, so this one drops them in every outcome; kept
      // here, a later update of this resource alone would revoke what the other one grants.
      const { write: toRemove, leave } = coordination.writable(
        holder,
        difference(olds.permissions, news.permissions),
        log,
        "revoke",
      );
      const revoked: Permission[] = [];
      const grantedNow: Permission[] = [];
      try {
        // Removals first, then additions, as terraform-provider-auth0 learned (#630).
        if (toRemove.length > 0) await api.remove(holder, toRemove, (batch) => revoked.push(...batch));
        if (toAdd.length > 0) await api.add(holder, toAdd, (batch) => grantedNow.push(...batch));
      } catch (error) {
        if (revoked.length === 0 && grantedNow.length === 0 && leave.length === 0) throw error;
        const managed = difference(union(difference(olds.permissions, revoked), grantedNow), leave);
        coordination.ledger.claim(holder, intersection(managed, news.permissions));
        const drifted = difference(intersection(olds.driftedPermissions ?? [], managed), grantedNow);
        throw new PartialProgressError(
          error,
          olds.userId,
          toState(settings.domain, olds.userId, managed, drifted),
          news,
        );
      }
      coordination.ledger.claim(holder, news.permissions);
      return { outs: toState(settings.domain, news.userId, news.permissions) };
    });
  },

  async delete(id: string, stored: unknown): Promise<void> {
    const props = parseUserState(stored, id);
    const tenant = runtime.tenant();
    assertSameTenant(props.domain, tenant.settings.domain, describe(props.userId));
    const holder = user(props.userId);
    await tenant.coordination.exclusive(holder, async () => {
      // A resource created or updated in this deployment may have taken these over (a rename, a move).
      const { write } = tenant.coordination.writable(holder, props.permissions, tenant.log, "revoke");
      await removeEach(tenant, holder, write);
    });
  },
});

function user(id: string): Holder {
  return { kind: "user", id };
}

function describe(userId: string): string {
  return `${RESOURCE} of user '${userId}'`;
}

/** The listed permissions not known to be missing in Auth0. */
function granted(state: UserPermissionsState): readonly Permission[] {
  return difference(state.permissions, state.driftedPermissions ?? []);
}

function toState(
  domain: string,
  userId: string,
  permissions: readonly Permission[],
  drifted: readonly Permission[] = [],
): UserPermissionsState {
  // Absent rather than empty: outputs stay as they were for a resource without drift.
  return {
    schemaVersion: STATE_SCHEMA_VERSION,
    domain,
    userId,
    permissions,
    ...(drifted.length > 0 ? { driftedPermissions: drifted } : {}),
  };
}
