import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiError } from "./api-errors";

/** Largest request body accepted: 1000 permissions take about 150 KB, so this is far above any real call. */
export const maximumBodyBytes = 10 * 1024 * 1024;

/** Every Management API response carries this, a 204 included (auth0-api-facts.md §0). */
export const jsonContentType = "application/json; charset=utf-8";

/** A handler's answer. `body` undefined means an empty body. */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maximumBodyBytes) {
        reject(new ApiError(413, "Payload content length greater than maximum allowed: 10485760"));
        request.resume();
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

export function send(response: ServerResponse, reply: Reply): void {
  if (response.destroyed || response.headersSent) return;
  const body = reply.body;
  const payload = body === undefined ? "" : typeof body === "string" ? body : JSON.stringify(body);
  response.statusCode = reply.status;
  response.setHeader("content-type", jsonContentType);
  response.setHeader("content-length", Buffer.byteLength(payload));
  const headers = reply.headers;
  if (headers !== undefined) for (const name in headers) response.setHeader(name, headers[name] ?? "");
  response.end(payload);
}

export function errorReply(error: ApiError): Reply {
  return { status: error.status, body: error.body, headers: error.headers };
}

/** Splits `?a=1&b=2` into a record; the last value of a repeated name wins. */
export function parseQuery(search: string): Record<string, string> {
  const query: Record<string, string> = {};
  if (search === "") return query;
  for (const [key, value] of new URLSearchParams(search)) query[key] = value;
  return query;
}
