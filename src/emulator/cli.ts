#!/usr/bin/env node
import { readFile, rm, writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import type { EmulatorOptions } from "./options";
import { startEmulator, type RunningEmulator } from "./server";
import type { SeedDocument } from "./types";

const help = `auth0-permissions-emulator: a local Auth0 Management API for the permission endpoints

Usage: auth0-permissions-emulator [options]

Options:
  --port N                     TCP port on 127.0.0.1; 0 picks a free one (default 0)
  --http                       serve plain HTTP instead of HTTPS
  --rate-limit PROFILE         none | free (burst 2, 2/s) | enterprise (burst 50, 16/s) (default none)
  --seed FILE.json             initial tenant: {resource_servers, users, roles, clients}
  --client-id ID               id of the default client (default emulator-client)
  --client-secret SECRET       its secret (default: random for each start)
  --duplicate-assign MODE      noop (201, default) | conflict (409) for already assigned permissions
  --unknown-permission MODE    bad-request (400, default) | not-found (404) | accept
  --permission-order MODE      sorted (default) | shuffled (a random order fixed per start)
  --user-permission-sources M  direct-and-role (default) | direct-only
  --token-scope                add a scope member to token answers (recorded answers have none)
  --admin-token                require a random admin token (printed) on every /__admin call
  --ca-dir DIR                 keep the CA in DIR (ca.pem, ca-key.pem) and reuse it on later starts
  --pid-file FILE              write the process id to FILE; removed on stop
  --json                       print the connection details as one JSON line instead of text
  -h, --help                   show this help

It prints the domain, a client id and secret, the CA file and the admin URL, then serves until
Ctrl-C (SIGINT) or SIGTERM and stops cleanly (deleting the per-start CA file and the pid file).
Point a client at it with:
  export NODE_EXTRA_CA_CERTS=<CA file>     (Node; Go reads SSL_CERT_FILE)
  pulumi config set auth0:domain localhost:<port>
Control surface: <admin URL>/reset, /seed, /state, /requests, /faults, /rate-limit, /tokens/expire
(see docs/emulator.md).
`;

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new Error(`${flag} must be one of ${allowed.join(", ")}`);
  return value as T;
}

interface CliSettings {
  options: EmulatorOptions;
  json: boolean;
  pidFile: string | undefined;
}

async function optionsFrom(argv: readonly string[]): Promise<CliSettings | undefined> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      port: { type: "string" },
      http: { type: "boolean" },
      "rate-limit": { type: "string" },
      seed: { type: "string" },
      "client-id": { type: "string" },
      "client-secret": { type: "string" },
      "duplicate-assign": { type: "string" },
      "unknown-permission": { type: "string" },
      "permission-order": { type: "string" },
      "user-permission-sources": { type: "string" },
      "token-scope": { type: "boolean" },
      "admin-token": { type: "boolean" },
      "ca-dir": { type: "string" },
      "pid-file": { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help === true) return undefined;
  const options: EmulatorOptions = {};
  if (values.port !== undefined) {
    if (!/^\d+$/.test(values.port)) throw new Error("--port must be a number");
    options.port = Number(values.port);
  }
  if (values.http === true) options.http = true;
  const rateLimit = oneOf("--rate-limit", values["rate-limit"], ["none", "free", "enterprise"] as const);
  if (rateLimit !== undefined) options.rateLimit = rateLimit;
  if (values.seed !== undefined) options.seed = JSON.parse(await readFile(values.seed, "utf8")) as SeedDocument;
  if (values["client-id"] !== undefined) options.clientId = values["client-id"];
  if (values["client-secret"] !== undefined) options.clientSecret = values["client-secret"];
  const duplicate = oneOf("--duplicate-assign", values["duplicate-assign"], ["noop", "conflict"] as const);
  if (duplicate !== undefined) options.duplicateAssign = duplicate;
  const unknown = oneOf("--unknown-permission", values["unknown-permission"], [
    "bad-request",
    "not-found",
    "accept",
  ] as const);
  if (unknown !== undefined) options.unknownPermission = unknown;
  const order = oneOf("--permission-order", values["permission-order"], ["sorted", "shuffled"] as const);
  if (order !== undefined) options.permissionOrder = order;
  const sources = oneOf("--user-permission-sources", values["user-permission-sources"], [
    "direct-and-role",
    "direct-only",
  ] as const);
  if (sources !== undefined) options.userPermissionSources = sources;
  if (values["token-scope"] === true) options.tokenScopeMember = true;
  if (values["admin-token"] === true) options.adminToken = true;
  if (values["ca-dir"] !== undefined) {
    if (values["ca-dir"] === "") throw new Error("--ca-dir needs a folder");
    options.caDir = values["ca-dir"];
  }
  if (values["pid-file"] === "") throw new Error("--pid-file needs a file name");
  return { options, json: values.json === true, pidFile: values["pid-file"] };
}

function describe(emulator: RunningEmulator): string {
  const lines = [
    `Auth0 Management API emulator listening on ${emulator.url}`,
    `  domain:        ${emulator.domain}`,
    `  client id:     ${emulator.clientId}`,
    `  client secret: ${emulator.clientSecret}`,
    `  CA file:       ${emulator.caCertPath ?? "(none: plain HTTP)"}`,
    `  admin URL:     ${emulator.adminUrl}`,
  ];
  if (emulator.adminToken !== undefined) lines.push(`  admin token:   ${emulator.adminToken}`);
  lines.push("");
  if (emulator.caCertPath !== undefined) lines.push(`export NODE_EXTRA_CA_CERTS=${emulator.caCertPath}`);
  lines.push(`pulumi config set auth0:domain ${emulator.domain}`, "", "Press Ctrl-C to stop.");
  return lines.join("\n");
}

async function main(): Promise<void> {
  let parsed: Awaited<ReturnType<typeof optionsFrom>>;
  try {
    parsed = await optionsFrom(process.argv.slice(2));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`auth0-permissions-emulator: ${message}\n\n${help}`);
    process.exitCode = 2;
    return;
  }
  if (parsed === undefined) {
    process.stdout.write(help);
    return;
  }
  const emulator = await startEmulator(parsed.options);
  const details = {
    url: emulator.url,
    domain: emulator.domain,
    client_id: emulator.clientId,
    client_secret: emulator.clientSecret,
    ca_cert_path: emulator.caCertPath ?? null,
    admin_url: emulator.adminUrl,
    admin_token: emulator.adminToken ?? null,
    pid: process.pid,
  };
  const pidFile = parsed.pidFile;
  const removePidFile = async (): Promise<void> => {
    if (pidFile === undefined) return;
    // Only our own: another emulator may have been started with the same file since.
    const content = await readFile(pidFile, "utf8").catch(() => "");
    if (content.trim() === String(process.pid)) await rm(pidFile, { force: true });
  };
  const shutdown = (signal: NodeJS.Signals): void => {
    process.stderr.write(`Received ${signal}, stopping.\n`);
    Promise.all([emulator.stop(), removePidFile()]).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  // Handlers first, then the banner: whoever reads the banner may signal at once.
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
  if (pidFile !== undefined) {
    try {
      await writeFile(pidFile, `${process.pid}\n`);
    } catch (error) {
      await emulator.stop();
      throw new Error(`could not write --pid-file ${pidFile}`, { cause: error });
    }
  }
  process.stdout.write(`${parsed.json ? JSON.stringify(details) : describe(emulator)}\n`);
}

function explain(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message;
}

main().catch((error: unknown) => {
  process.stderr.write(`auth0-permissions-emulator: ${explain(error)}\n`);
  process.exitCode = 1;
});
