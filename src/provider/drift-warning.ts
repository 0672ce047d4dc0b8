import { describePermission, type Permission } from "../permissions/permission";

/** At most this many permissions are named in one warning; the output lists them all. */
export const MAX_NAMED = 10;

/**
 * The warning a refresh prints when it finds drift, naming the drifted permissions (bounded), or undefined
 * when there is none. `found` says what was found ("missing in Auth0"), `next` what `pulumi up` will do.
 */
export function driftWarning(
  resource: string,
  drifted: readonly Permission[],
  found: string,
  next: string,
): string | undefined {
  if (drifted.length === 0) return undefined;
  const named = drifted.slice(0, MAX_NAMED).map(describePermission).join(", ");
  const more = drifted.length > MAX_NAMED ? ` and ${drifted.length - MAX_NAMED} more` : "";
  return `warning: ${resource}: refresh found ${drifted.length} listed permission(s) ${found}: ${named}${more}. The next \`pulumi up\` ${next}.`;
}
