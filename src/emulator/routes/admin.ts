import type { IncomingMessage } from "node:http";
import type { EmulatorAdmin } from "../admin";
import { FaultError } from "../faults";
import { readBody, type Reply } from "../http-io";
import { SeedError } from "../seed";
import type { FaultSpec, RateLimitUpdate, SeedDocument } from "../types";

/** The HTTP prefix of the control surface. */
export const adminPrefix = "/__admin";

function adminError(status: number, message: string): Reply {
  return { status, body: { statusCode: status, error: status === 404 ? "Not Found" : "Bad Request", message } };
}

async function jsonBody(request: IncomingMessage): Promise<unknown> {
  const text = (await readBody(request)).toString("utf8");
  if (text.trim() === "") return {};
  return JSON.parse(text) as unknown;
}

const done: Reply = { status: 204 };

/**
 * `/__admin/...` over HTTP, mapped onto the in-process `EmulatorAdmin`, once `checkAdminRequest` has passed it
 * (Host, JSON writes, the admin token when set). These calls are not rate limited, not subject to faults and
 * not logged.
 */
export async function adminRoute(
  admin: EmulatorAdmin,
  request: IncomingMessage,
  method: string,
  path: string,
  query: Record<string, string>,
): Promise<Reply> {
  const action = `${method} ${path.slice(adminPrefix.length) || "/"}`;
  try {
    switch (action) {
      case "POST /reset":
        admin.reset();
        return done;
      case "POST /seed":
        admin.seed((await jsonBody(request)) as SeedDocument, { replace: query["replace"] === "true" });
        return done;
      case "GET /state":
        return { status: 200, body: admin.state() };
      case "GET /requests":
        return { status: 200, body: admin.requests() };
      case "DELETE /requests":
        admin.clearRequests();
        return done;
      case "POST /faults":
        admin.addFault((await jsonBody(request)) as FaultSpec);
        return done;
      case "DELETE /faults":
        admin.clearFaults();
        return done;
      case "POST /rate-limit":
        admin.setRateLimit((await jsonBody(request)) as RateLimitUpdate);
        return done;
      case "POST /tokens/expire":
        admin.expireTokens();
        return done;
      default:
        return adminError(404, `No control endpoint ${action}`);
    }
  } catch (error) {
    if (error instanceof SeedError || error instanceof FaultError || error instanceof TypeError) {
      return adminError(400, error.message);
    }
    if (error instanceof SyntaxError) return adminError(400, `Invalid JSON: ${error.message}`);
    throw error;
  }
}
