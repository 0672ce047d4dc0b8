import type { IncomingMessage, ServerResponse } from "node:http";
import type { EmulatorAdmin } from "./admin";
import { checkAdminRequest } from "./admin-guard";
import { ApiError, insufficientScope, routeNotFound } from "./api-errors";
import { decodeBody } from "./body-validation";
import type { EmulatorContext } from "./context";
import type { ActiveFault } from "./faults";
import { errorReply, parseQuery, readBody, send, type Reply } from "./http-io";
import type { RateLimitDecision } from "./rate-limiter";
import { PatternTimeoutError } from "./path-matcher";
import { matchRoute } from "./router";
import { adminPrefix, adminRoute } from "./routes/admin";
import { tokenRoute } from "./routes/oauth-token";

const apiPrefix = "/api/v2/";

function rateLimitHeaders(context: EmulatorContext, decision: RateLimitDecision): Record<string, string> {
  const headers: Record<string, string> = {
    "x-ratelimit-limit": String(decision.limit),
    "x-ratelimit-remaining": String(decision.remaining),
    "x-ratelimit-reset": String(decision.reset),
  };
  if (!decision.allowed && context.options.retryAfterHeader) {
    headers["retry-after"] = String(decision.retryAfterSeconds);
  }
  return headers;
}

/** Auth0's 429 body: status, reason, message and errorCode (auth0-api-facts.md §9; message and code assumed). */
const tooManyRequests = (): ApiError => new ApiError(429, "Global limit has been reached", "too_many_requests");

/**
 * A Management API request, in this order: rate limit (429), route lookup (404), token (401),
 * scope (403), then the handler, which validates (400) before looking entities up (404). Every answer,
 * errors included, carries the rate-limit headers when a limit is configured.
 */
async function apiReply(
  context: EmulatorContext,
  request: IncomingMessage,
  method: string,
  path: string,
  query: Record<string, string>,
  search: string,
): Promise<Reply> {
  const decision = context.limiter?.take();
  const limitHeaders = decision === undefined ? undefined : rateLimitHeaders(context, decision);
  const withLimits = (reply: Reply): Reply =>
    limitHeaders === undefined ? reply : { ...reply, headers: { ...limitHeaders, ...reply.headers } };
  try {
    if (decision !== undefined && !decision.allowed) throw tooManyRequests();
    const match = matchRoute(method, path.slice(apiPrefix.length));
    if (match === undefined) throw routeNotFound();
    const token = context.tokens.authenticate(request.headers.authorization);
    if (token instanceof ApiError) throw token;
    if (!match.route.scopes.some((scope) => token.scopes.has(scope))) throw insufficientScope(match.route.scopes);
    const body = match.route.hasBody ? decodeBody(await readBody(request), request.headers["content-type"]) : undefined;
    // From here on the handler runs synchronously: its read-check-write cannot interleave with another request.
    return withLimits(match.route.handle(context, { id: match.id, query, params: new URLSearchParams(search), body }));
  } catch (error) {
    if (error instanceof ApiError) return withLimits(errorReply(error));
    throw error;
  }
}

/** Applies a fault. Returns true when it answered (or deliberately did not), false to serve the request normally. */
async function applyFault(
  context: EmulatorContext,
  fault: ActiveFault,
  response: ServerResponse,
  log: (status: number) => void,
): Promise<boolean> {
  if (fault.delayMs > 0) await context.options.sleep(fault.delayMs);
  if (fault.resetConnection) {
    if (response.socket !== null) context.resetConnection(response.socket);
    log(0);
    return true;
  }
  if (fault.hang) {
    log(0);
    return true;
  }
  if (fault.response !== undefined) {
    send(response, { status: fault.response.status, body: fault.response.body, headers: fault.response.headers });
    log(fault.response.status);
    return true;
  }
  return false;
}

/** Serves one request: control surface, faults, token endpoint, Management API; logs everything but control calls. */
export async function dispatch(
  context: EmulatorContext,
  admin: EmulatorAdmin,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const url = request.url ?? "/";
  const queryStart = url.indexOf("?");
  const path = queryStart === -1 ? url : url.slice(0, queryStart);
  const search = queryStart === -1 ? "" : url.slice(queryStart + 1);
  const query = parseQuery(search);
  const method = request.method ?? "GET";
  if (path === adminPrefix || path.startsWith(`${adminPrefix}/`)) {
    const refusal = checkAdminRequest(method, request.headers, context.hostNames, context.options.adminToken);
    if (refusal !== undefined) {
      request.resume();
      send(response, refusal);
      return;
    }
    send(response, await adminRoute(admin, request, method, path, query));
    return;
  }
  const log = (status: number): void => context.log.record(method, path, query, status);
  let fault: ActiveFault | undefined;
  try {
    fault = context.faults.take(method, path);
  } catch (error) {
    if (!(error instanceof PatternTimeoutError)) throw error;
    process.emitWarning(`auth0-permissions-emulator: ${error.message}`);
    const reply = errorReply(new ApiError(500, error.message));
    send(response, reply);
    log(reply.status);
    return;
  }
  if (fault !== undefined && (await applyFault(context, fault, response, log))) return;
  let reply: Reply;
  try {
    if (path === "/oauth/token" && method === "POST") reply = await tokenRoute(context, request);
    else if (path.startsWith(apiPrefix)) reply = await apiReply(context, request, method, path, query, search);
    else reply = errorReply(routeNotFound());
  } catch (error) {
    reply = error instanceof ApiError ? errorReply(error) : errorReply(new ApiError(500, "Internal Server Error"));
    if (!(error instanceof ApiError)) process.emitWarning(`auth0-permissions-emulator: ${String(error)}`);
  }
  send(response, reply);
  log(reply.status);
}
