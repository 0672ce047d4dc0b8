import * as http from "node:http";
import * as net from "node:net";
import type { AddressInfo } from "node:net";
import type { Settings } from "../../../src/config/settings";
import { DEFAULT_TUNING } from "../../../src/config/defaults";
import { systemClock } from "../../../src/client/clock";
import { ManagementClient } from "../../../src/client/management-client";
import { createHttpTransport, type TransportOptions } from "../../../src/client/transport";

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;

/** A real server on 127.0.0.1 that misbehaves as its handler says. */
export async function startServer(handler: Handler): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => handler(req, res, body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => closeServer(server) };
}

export function closeServer(server: http.Server | net.Server): Promise<void> {
  return new Promise((resolve) => {
    if (server instanceof http.Server) server.closeAllConnections();
    server.close(() => resolve());
  });
}

export const SECRET = 's3cr3t+/=&"value<x>';

/** Client-credentials settings for a loopback tenant, tuned short so that a hostile test ends quickly. */
export function hostileSettings(url: string, tuning: Partial<Settings["tuning"]> = {}): Settings {
  const domain = new URL(url).host;
  return {
    domain,
    credentials: {
      kind: "clientCredentials",
      clientId: "client-hostile",
      clientSecret: SECRET,
      audience: `https://${domain}/api/v2/`,
    },
    tuning: { ...DEFAULT_TUNING, maxRetries: 1, retryBudgetMs: 5_000, requestTimeoutMs: 500, ...tuning },
    debug: false,
  };
}

/** A ManagementClient as the provider builds it (real clock, real transport), with its log captured. */
export function hostileClient(url: string, settings: Settings, options: TransportOptions = {}) {
  const logs: string[] = [];
  const client = new ManagementClient(settings, {
    transport: createHttpTransport(url, settings.tuning.requestTimeoutMs, {
      maxResponseBytes: settings.tuning.maxResponseBytes,
      ...options,
    }),
    clock: systemClock,
    random: Math.random,
    log: (line) => logs.push(line),
  });
  return { client, logs };
}

export const readUser = {
  method: "GET" as const,
  path: "/api/v2/users/auth0%7Chostile/permissions?per_page=100&page=0&include_totals=true",
  context: { action: "read the permissions of", target: "user 'auth0|hostile'" },
};

/** Settles a promise into its error (or fails when it resolves), and how long it took. */
export async function failureOf(promise: Promise<unknown>): Promise<{ error: Error; ms: number }> {
  const started = Date.now();
  const error = await promise.then(
    () => {
      throw new Error("expected a failure, got an answer");
    },
    (e: unknown) => e as Error,
  );
  return { error, ms: Date.now() - started };
}

/** Answers /oauth/token with a token, anything else with `api`. */
export function tokenThen(api: Handler): Handler {
  return (req, res, body) => {
    if (req.url === "/oauth/token") {
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ access_token: "hostile-access-token", expires_in: 86400, token_type: "Bearer" }));
      return;
    }
    api(req, res, body);
  };
}
