import { createPrivateKey, type KeyObject } from "node:crypto";
import {
  CLIENT_ASSERTION_SIGNING_ALGS,
  CONFIG_NAMESPACE,
  DEFAULT_CLIENT_ASSERTION_SIGNING_ALG,
  DEFAULT_DEBUG,
  DEFAULT_TUNING,
  TUNING_RANGES,
  type ClientAssertionSigningAlg,
  type TuningSettings,
} from "./defaults";
import { ConfigurationError } from "../errors";
import { normalizeDomain } from "./domain";

/** Where credentials come from: the same keys as the official @pulumi/auth0 provider, then the environment. */
export const CREDENTIAL_SOURCES = {
  domain: { config: "auth0:domain", env: "AUTH0_DOMAIN" },
  clientId: { config: "auth0:clientId", env: "AUTH0_CLIENT_ID" },
  clientSecret: { config: "auth0:clientSecret", env: "AUTH0_CLIENT_SECRET" },
  clientAssertionPrivateKey: {
    config: "auth0:clientAssertionPrivateKey",
    env: "AUTH0_CLIENT_ASSERTION_PRIVATE_KEY",
  },
  clientAssertionSigningAlg: {
    config: "auth0:clientAssertionSigningAlg",
    env: "AUTH0_CLIENT_ASSERTION_SIGNING_ALG",
  },
  apiToken: { config: "auth0:apiToken", env: "AUTH0_API_TOKEN" },
  audience: { config: "auth0:audience", env: "AUTH0_AUDIENCE" },
} as const;

type Source = (typeof CREDENTIAL_SOURCES)[keyof typeof CREDENTIAL_SOURCES];

export type Credentials =
  | {
      readonly kind: "clientCredentials";
      readonly clientId: string;
      readonly clientSecret: string;
      readonly audience: string;
    }
  | {
      /** Private Key JWT: the token request carries a signed client assertion instead of a secret. */
      readonly kind: "clientAssertion";
      readonly clientId: string;
      /** PEM (PKCS#8 or PKCS#1), checked to be an RSA private key fit for `signingAlg`. */
      readonly privateKeyPem: string;
      readonly signingAlg: ClientAssertionSigningAlg;
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
  const read = (source: Source): string | undefined => readCredential(source, config, env);

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
  const privateKey = readPrivateKey(config, env);
  const audience = (): string => read(CREDENTIAL_SOURCES.audience) ?? `https://${domain}/api/v2/`;
  let credentials: Credentials;
  if (clientId !== undefined && clientSecret !== undefined && privateKey !== undefined) {
    throw new ConfigurationError(
      "Both auth0:clientSecret and auth0:clientAssertionPrivateKey are set (in stack config or the environment): " +
        "set only one, so that it is clear how the application authenticates. Remove the other with " +
        "`pulumi config rm auth0:clientSecret` (or `pulumi config rm auth0:clientAssertionPrivateKey`).",
    );
  }
  if (clientId !== undefined && clientSecret !== undefined) {
    credentials = { kind: "clientCredentials", clientId, clientSecret, audience: audience() };
  } else if (clientId !== undefined && privateKey !== undefined) {
    const signingAlg = readSigningAlg(config, env);
    credentials = {
      kind: "clientAssertion",
      clientId,
      privateKeyPem: checkPrivateKey(privateKey, signingAlg),
      signingAlg,
      audience: audience(),
    };
  } else if (apiToken !== undefined) {
    credentials = { kind: "apiToken", apiToken };
  } else {
    const missing = clientId === undefined ? "auth0:clientId" : "auth0:clientSecret";
    throw new ConfigurationError(
      `No Auth0 credentials: ${missing} is not set. Set auth0:clientId and auth0:clientSecret ` +
        "(`pulumi config set --secret auth0:clientSecret ...`), or auth0:clientId and " +
        "auth0:clientAssertionPrivateKey (Private Key JWT), or auth0:apiToken, or the AUTH0_CLIENT_ID / " +
        "AUTH0_CLIENT_SECRET / AUTH0_CLIENT_ASSERTION_PRIVATE_KEY / AUTH0_API_TOKEN environment variables.",
    );
  }
  return { domain, credentials, tuning: resolveTuning(config), debug: readDebug(config) };
}

/**
 * One credential value: stack config first, then the environment. Surrounding white space (typically the
 * newline a copy-paste or `echo` adds) is rejected rather than trimmed: client ids, secrets, tokens and
 * audiences never contain it, and trimming would hide which of two copies of a secret is in force. Sent
 * as is, a newline ends in a misleading 401 or in Node's raw ERR_INVALID_CHAR on a header.
 */
function readCredential(source: Source, config: ConfigLookup, env: NodeJS.ProcessEnv): string | undefined {
  const fromConfig = nonEmpty(config(source.config));
  const value = fromConfig ?? nonEmpty(env[source.env]);
  if (value === undefined || source === CREDENTIAL_SOURCES.domain) return value;
  if (/\s/.test(value)) {
    const where = fromConfig !== undefined ? source.config : `the environment variable ${source.env}`;
    const fix =
      fromConfig !== undefined
        ? `Set it again without it: \`pulumi config set${isSecretKey(source) ? " --secret" : ""} ${source.config} '<value>'\``
        : `Export it again without it: \`export ${source.env}='<value>'\``;
    throw new ConfigurationError(
      `${where} contains white space (${describeWhiteSpace(value)}), which is never part of a valid value; ` +
        `it is usually a trailing newline from a copy-paste. ${fix}.`,
    );
  }
  return value;
}

function isSecretKey(source: Source): boolean {
  return source === CREDENTIAL_SOURCES.clientSecret || source === CREDENTIAL_SOURCES.apiToken;
}

/** Where the white space is, without printing the value. */
function describeWhiteSpace(value: string): string {
  if (/^\s/.test(value)) return "at the start";
  if (/\s$/.test(value)) return /\n$/.test(value) ? "a trailing newline" : "at the end";
  return "inside the value";
}

/** The PEM key: surrounding white space is part of the PEM format (files end with a newline), so it is trimmed. */
function readPrivateKey(config: ConfigLookup, env: NodeJS.ProcessEnv): string | undefined {
  const source = CREDENTIAL_SOURCES.clientAssertionPrivateKey;
  return nonEmpty(config(source.config))?.trim() ?? nonEmpty(env[source.env])?.trim();
}

function readSigningAlg(config: ConfigLookup, env: NodeJS.ProcessEnv): ClientAssertionSigningAlg {
  const source = CREDENTIAL_SOURCES.clientAssertionSigningAlg;
  const raw = nonEmpty(config(source.config))?.trim() ?? nonEmpty(env[source.env])?.trim();
  if (raw === undefined) return DEFAULT_CLIENT_ASSERTION_SIGNING_ALG;
  const alg = CLIENT_ASSERTION_SIGNING_ALGS.find((candidate) => candidate === raw.toUpperCase());
  if (alg === undefined) {
    throw new ConfigurationError(
      `${source.config} must be one of ${CLIENT_ASSERTION_SIGNING_ALGS.join(", ")}, got ${JSON.stringify(raw)}. ` +
        `Fix it with \`pulumi config set ${source.config} ${DEFAULT_CLIENT_ASSERTION_SIGNING_ALG}\` (the default).`,
    );
  }
  return alg;
}

/**
 * Parses the key once, at preview, so that a malformed key fails before any request. The message names
 * the key and what is wrong, never the key itself nor the parser's own message (which may quote it).
 */
function checkPrivateKey(pem: string, alg: ClientAssertionSigningAlg): string {
  const name = CREDENTIAL_SOURCES.clientAssertionPrivateKey.config;
  const fix =
    `Set it to the PEM private key of the application's credential, e.g. ` +
    `\`cat private-key.pem | pulumi config set --secret ${name}\`.`;
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: "pem" });
  } catch {
    throw new ConfigurationError(
      `${name} is not a readable PEM private key (expected "-----BEGIN PRIVATE KEY-----" or ` +
        `"-----BEGIN RSA PRIVATE KEY-----", unencrypted). ${fix}`,
    );
  }
  const type = key.asymmetricKeyType;
  if (type !== "rsa" && !(type === "rsa-pss" && alg === "PS256")) {
    throw new ConfigurationError(
      `${name} is a${type === undefined ? "n unknown" : ` ${type}`} key; ${alg} needs an RSA private key. ${fix}`,
    );
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < 2048) {
    throw new ConfigurationError(`${name} is an RSA key of ${bits} bits; Auth0 requires at least 2048. ${fix}`);
  }
  return pem;
}

function resolveTuning(config: ConfigLookup): TuningSettings {
  const tuning: TuningSettings = { ...DEFAULT_TUNING };
  for (const name of Object.keys(DEFAULT_TUNING) as (keyof TuningSettings)[]) {
    const key = `${CONFIG_NAMESPACE}:${name}`;
    const raw = nonEmpty(config(key));
    if (raw === undefined) continue;
    const value = Number(raw.trim());
    const { min, max, integer } = TUNING_RANGES[name];
    if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
      const rule = value > max ? `at most ${max}` : `${integer ? "an integer" : "a number"} >= ${min}`;
      throw new ConfigurationError(
        `${key} must be ${rule}, got ${JSON.stringify(raw)} (range ${min} to ${max}). ` +
          `Fix it with \`pulumi config set ${key} ${DEFAULT_TUNING[name]}\` (the default).`,
      );
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
  if (value === undefined) return DEFAULT_DEBUG;
  if (/^(1|true|yes)$/i.test(value.trim())) return true;
  if (/^(0|false|no)$/i.test(value.trim())) return false;
  throw new ConfigurationError(
    `${CONFIG_NAMESPACE}:debug must be true or false, got ${JSON.stringify(value)}. ` +
      `Fix it with \`pulumi config set ${CONFIG_NAMESPACE}:debug true\`.`,
  );
}
