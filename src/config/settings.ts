import { CONFIG_NAMESPACE, DEFAULT_DEBUG, DEFAULT_TUNING, type TuningSettings } from "./defaults";
import { ConfigurationError } from "../errors";
import { normalizeDomain } from "./domain";

/** Where credentials come from: the same keys as the official @pulumi/auth0 provider, then the environment. */
export const CREDENTIAL_SOURCES = {
  domain: { config: "auth0:domain", env: "AUTH0_DOMAIN" },
  clientId: { config: "auth0:clientId", env: "AUTH0_CLIENT_ID" },
  clientSecret: { config: "auth0:clientSecret", env: "AUTH0_CLIENT_SECRET" },
  apiToken: { config: "auth0:apiToken", env: "AUTH0_API_TOKEN" },
  audience: { config: "auth0:audience", env: "AUTH0_AUDIENCE" },
} as const;

export type Credentials =
  | {
      readonly kind: "clientCredentials";
      readonly clientId: string;
      readonly clientSecret: string;
      readonly audience: string;
    }
  | { readonly kind: "apiToken"; readonly apiToken: string };

/** Everything the client needs, normalized once. */
export interface Settings {
  /** Host (and optional port) of the tenant, e.g. `example.eu.auth0.com`. */
  readonly domain: string;
  readonly credentials: Credentials;
  readonly tuning: TuningSettings;
  readonly debug: boolean;
}

/** Reads one raw setting by its stack config key; undefined when unset. */
export type ConfigLookup = (key: string) => string | undefined;

/** The settings a preview can check without any request: is there a domain, and a way to authenticate? */
export function resolveSettings(config: ConfigLookup, env: NodeJS.ProcessEnv = process.env): Settings {
  const read = (source: { config: string; env: string }): string | undefined =>
    nonEmpty(config(source.config)) ?? nonEmpty(env[source.env]);

  const rawDomain = read(CREDENTIAL_SOURCES.domain);
  if (rawDomain === undefined) {
    throw new ConfigurationError(
      "auth0:domain is not set. Set it with `pulumi config set auth0:domain <tenant>.auth0.com`, or export AUTH0_DOMAIN.",
    );
  }
  const domain = normalizeDomain(rawDomain);
  const apiToken = read(CREDENTIAL_SOURCES.apiToken);
  const clientId = read(CREDENTIAL_SOURCES.clientId);
  const clientSecret = read(CREDENTIAL_SOURCES.clientSecret);
  let credentials: Credentials;
  if (clientId !== undefined && clientSecret !== undefined) {
    const audience = read(CREDENTIAL_SOURCES.audience) ?? `https://${domain}/api/v2/`;
    credentials = { kind: "clientCredentials", clientId, clientSecret, audience };
  } else if (apiToken !== undefined) {
    credentials = { kind: "apiToken", apiToken };
  } else {
    const missing = clientId === undefined ? "auth0:clientId" : "auth0:clientSecret";
    throw new ConfigurationError(
      `No Auth0 credentials: ${missing} is not set. Set auth0:clientId and auth0:clientSecret ` +
        "(`pulumi config set --secret auth0:clientSecret ...`), or auth0:apiToken, or the AUTH0_CLIENT_ID / " +
        "AUTH0_CLIENT_SECRET / AUTH0_API_TOKEN environment variables.",
    );
  }
  return { domain, credentials, tuning: resolveTuning(config), debug: readDebug(config) };
}

function resolveTuning(config: ConfigLookup): TuningSettings {
  const tuning: TuningSettings = { ...DEFAULT_TUNING };
  for (const name of Object.keys(DEFAULT_TUNING) as (keyof TuningSettings)[]) {
    const key = `${CONFIG_NAMESPACE}:${name}`;
    const raw = nonEmpty(config(key));
    if (raw === undefined) continue;
    const value = Number(raw);
    // A 429 wait is never under 1 s (Auth0 can report a reset equal to now), so its cap can't be either.
    const minimum = name === "requestsPerSecond" || name === "maxRetries" ? 0 : name === "maxRetryDelayMs" ? 1000 : 1;
    if (!Number.isFinite(value) || value < minimum || (name !== "requestsPerSecond" && !Number.isInteger(value))) {
      throw new ConfigurationError(
        `${key} must be ${name === "requestsPerSecond" ? "a number" : "an integer"} >= ${minimum}, got ${JSON.stringify(raw)}. ` +
          `Fix it with \`pulumi config set ${key} ${DEFAULT_TUNING[name]}\` (the default).`,
      );
    }
    if (name === "batchSize" && value > 1000) {
      throw new ConfigurationError(`${key} must be at most 1000 (Auth0's permission cap), got ${value}.`);
    }
    tuning[name] = value;
  }
  return tuning;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}

function readDebug(config: ConfigLookup): boolean {
  const value = nonEmpty(config(`${CONFIG_NAMESPACE}:debug`));
  return value === undefined ? DEFAULT_DEBUG : /^(1|true|yes)$/i.test(value.trim());
}
