import { timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import type { Reply } from "./http-io";

function refusal(status: number, error: string, message: string): Reply {
  return { status, body: { statusCode: status, error, message } };
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Whether a control-surface call may proceed; the refusal to send otherwise. The control surface can wipe the
 * tenant and serves client secrets, so it is closed to other web sites a local browser visits:
 * - `Host` must be one of the emulator's own names, which defeats DNS rebinding;
 * - writes must be `Content-Type: application/json`, which a cross-site form or `text/plain` fetch cannot send
 *   without a CORS preflight (that the emulator never grants);
 * - with an admin token, every call needs `Authorization: Bearer <token>`.
 */
export function checkAdminRequest(
  method: string,
  headers: IncomingHttpHeaders,
  hostNames: ReadonlySet<string>,
  adminToken: string | undefined,
): Reply | undefined {
  const host = headers.host;
  if (host === undefined || !hostNames.has(host.toLowerCase())) {
    return refusal(
      403,
      "Forbidden",
      `The control surface answers only requests addressed to ${[...hostNames].join(" or ")}; Host was ${JSON.stringify(host ?? "")}`,
    );
  }
  if (adminToken !== undefined) {
    const match = /^Bearer +(\S+)$/i.exec(headers.authorization ?? "");
    if (match?.[1] === undefined || !sameToken(match[1], adminToken)) {
      return refusal(
        401,
        "Unauthorized",
        "This emulator requires its admin token on /__admin: send Authorization: Bearer <the admin token printed at start>",
      );
    }
  }
  if (method !== "GET" && method !== "HEAD") {
    const type = (headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
    if (type !== "application/json") {
      return refusal(
        415,
        "Unsupported Media Type",
        `Control-surface writes need Content-Type: application/json (got ${JSON.stringify(headers["content-type"] ?? "")})`,
      );
    }
  }
  return undefined;
}
