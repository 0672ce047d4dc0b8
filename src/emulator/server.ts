import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { Socket } from "node:net";
import { createAdmin, type EmulatorAdmin } from "./admin";
import type { EmulatorContext } from "./context";
import { dispatch } from "./dispatch";
import { FaultRegistry } from "./faults";
import { managementScopes, resolveOptions, type EmulatorOptions } from "./options";
import { TokenBucket } from "./rate-limiter";
import { RequestLog } from "./request-log";
import { AssertionVerifier } from "./client-assertion";
import { permissionComparator } from "./order";
import { buildStore, mergeSeed, parseSeed } from "./seed";
import type { TenantStore } from "./store";
import { prepareTls } from "./tls";
import { TokenIssuer } from "./tokens";
import type { SeedClient } from "./types";

/** A running emulator. */
export interface RunningEmulator {
  /** `https://localhost:PORT` (`http://` with the `http` option). */
  url: string;
  /** `localhost:PORT`: the value for `auth0:domain`. */
  domain: string;
  /** The CA certificate to trust (`NODE_EXTRA_CA_CERTS`, `SSL_CERT_FILE`); undefined in plain-HTTP mode. */
  caCertPath: string | undefined;
  /** The default client: it holds read/update on users and roles, and read:resource_servers. */
  clientId: string;
  clientSecret: string;
  /** `{url}/__admin`, the HTTP control surface. */
  adminUrl: string;
  /** The token every `/__admin` call must carry (`Authorization: Bearer …`), when the `adminToken` option is set. */
  adminToken: string | undefined;
  admin: EmulatorAdmin;
  /** Closes every connection (hanging ones included), stops listening and deletes the CA file. */
  stop(): Promise<void>;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    // Loopback only: the emulator has an unauthenticated control surface.
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      const address = server.address();
      resolve(typeof address === "object" && address !== null ? address.port : port);
    });
  });
}

/**
 * Starts an Auth0 Management API emulator on 127.0.0.1, over HTTPS with a CA made for this run unless
 * `http` is set. Rejects if the seed is invalid or the port is taken.
 *
 * @example
 * const emulator = await startEmulator({
 *   seed: { resource_servers: [{ identifier: "https://api", scopes: ["read:x"] }] },
 * });
 * // NODE_EXTRA_CA_CERTS=emulator.caCertPath, auth0:domain=emulator.domain
 * await emulator.stop();
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const resolved = resolveOptions(options);
  const defaultClient: SeedClient = {
    client_id: resolved.clientId,
    client_secret: resolved.clientSecret,
    scopes: [...managementScopes],
  };
  const baseDocument = mergeSeed({ clients: [defaultClient] }, parseSeed(resolved.seed));
  const tls = resolved.http ? undefined : await prepareTls(resolved.caDir);

  let context: EmulatorContext | undefined;
  let admin: EmulatorAdmin | undefined;
  const handler = (request: IncomingMessage, response: ServerResponse): void => {
    if (context === undefined || admin === undefined) {
      response.destroy();
      return;
    }
    dispatch(context, admin, request, response).catch((error: unknown) => {
      process.emitWarning(`auth0-permissions-emulator: ${String(error)}`);
      if (!response.headersSent) response.writeHead(500).end();
    });
  };
  const server: Server =
    tls === undefined
      ? createHttpServer(handler)
      : createHttpsServer({ key: tls.material.keyPem, cert: tls.material.certPem }, handler);
  server.keepAliveTimeout = 30_000;
  // TCP sockets by client port: stop() destroys them all, and a reset_connection fault resets the TCP
  // socket under a TLS one (a TLS socket cannot send a reset itself).
  const sockets = new Map<number | undefined, Socket>();
  server.on("connection", (socket: Socket) => {
    const key = socket.remotePort;
    sockets.set(key, socket);
    socket.on("close", () => {
      if (sockets.get(key) === socket) sockets.delete(key);
    });
  });
  const resetConnection = (socket: Socket): void => {
    const tcp = sockets.get(socket.remotePort) ?? socket;
    if (typeof tcp.resetAndDestroy === "function" && tcp.readyState === "open") {
      try {
        tcp.resetAndDestroy();
        return;
      } catch {
        // Not a TCP handle after all: fall back to a plain close.
      }
    }
    tcp.destroy();
    socket.destroy();
  };

  const port = await listen(server, resolved.port);
  const domain = `localhost:${port}`;
  const url = `${tls === undefined ? "http" : "https"}://${domain}`;
  const audiences = [`https://${domain}/api/v2/`];
  if (tls === undefined) audiences.push(`http://${domain}/api/v2/`);
  const seedRules = {
    unknownPermission: resolved.unknownPermission,
    now: resolved.now,
    managementApiIdentifier: `https://${domain}/api/v2/`,
  };
  let store: TenantStore;
  let caFile: { path: string; remove: () => Promise<void> } | undefined;
  try {
    // The built-in Management API's identifier names the port, so the tenant is built once listening.
    store = buildStore(baseDocument, seedRules);
    caFile = tls === undefined ? undefined : await tls.publish();
  } catch (error) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    throw error;
  }
  const assertionAudiences = [`https://${domain}/`];
  if (tls === undefined) assertionAudiences.push(`http://${domain}/`);
  context = {
    options: resolved,
    domain,
    audiences,
    baseDocument,
    defaultClient,
    tokens: new TokenIssuer(resolved.now, resolved.tokenTtlSeconds, `https://${domain}/`, resolved.tokenScopeMember),
    assertions: new AssertionVerifier(resolved.now, assertionAudiences),
    order: permissionComparator(resolved.permissionOrder),
    seedRules,
    hostNames: new Set([domain, `127.0.0.1:${port}`]),
    faults: new FaultRegistry(),
    log: new RequestLog(resolved.requestLogLimit, resolved.requestLogMaxBytes, resolved.now),
    resetConnection,
    store,
    limiter:
      resolved.rateLimit === undefined
        ? undefined
        : new TokenBucket(resolved.rateLimit, resolved.now, resolved.rateLimitReset),
  };
  admin = createAdmin(context);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      for (const socket of sockets.values()) socket.destroy();
      await closed;
      await caFile?.remove();
    })();
    return stopping;
  };

  return {
    url,
    domain,
    caCertPath: caFile?.path,
    clientId: defaultClient.client_id,
    clientSecret: resolved.clientSecret,
    adminUrl: `${url}/__admin`,
    adminToken: resolved.adminToken,
    admin,
    stop,
  };
}
