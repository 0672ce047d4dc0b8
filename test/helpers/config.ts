import { CONFIG_NAMESPACE } from "../../src/config/defaults";

/**
 * Stack config keys of this package's tuning (`pulumi-auth0-permissions:<name>`), built from the
 * library's own CONFIG_NAMESPACE. Expected messages keep the key spelled out: that is what a user reads.
 */
export const tuningKey = (name: string): string => `${CONFIG_NAMESPACE}:${name}`;

/** `{ batchSize: "1" }` as stack config: `{ "pulumi-auth0-permissions:batchSize": "1" }`. */
export function tuningConfig(tuning: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(tuning).map(([name, value]) => [tuningKey(name), value]));
}
