import * as http from "node:http";
import * as https from "node:https";
import * as zlib from "node:zlib";

/** The only module that sends HTTP: one keep-alive connection pool per tenant, on Node's own http/https. */
export interface HttpRequest {
  readonly method: "GET" | "POST" | "DELETE";
  /** Path and query, relative to the tenant's base URL. */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** JSON body (Auth0 expects one on DELETE too). */
  readonly json?: unknown;
  /** Form-encoded body, for /oauth/token. */
  readonly form?: Readonly<Record<string, string>>;
}

export interface HttpResponse {
  readonly status: number;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly data: unknown;
}

/** No HTTP response at all; `code` is Node's error code (ECONNRESET, ETIMEDOUT, …). */
export class TransportError extends Error {
  constructor(
    readonly code: string,
    options: { cause: unknown },
  ) {
    super(`network error ${code}`, options);
    this.name = "TransportError";
  }
}

export type Transport = (request: HttpRequest) => Promise<HttpResponse>;

/**
 * A transport to one base URL (`https://tenant`, or `http://` in tests) over a keep-alive agent.
 * - Every status is an answer, redirects included (never followed): the retry policy decides.
 * - `timeoutMs` is the longest the socket may stay silent during one attempt; then the attempt
 *   fails with ETIMEDOUT.
 * - No proxy: HTTP(S)_PROXY is never picked up silently, since a proxy would see the bearer token.
 * - The body is read as UTF-8 text and parsed as JSON when it is JSON; it is not kept beyond the
 *   returned response.
 *
 * Not axios: its per-request work (config merging, header objects, stream and promise chains, about
 * 70 KB of allocations per request) kept the SDK's in-flight gRPC request objects alive across more
 * young-generation collections. V8 then allocated such objects straight into the old generation
 * (allocation-site pretenuring), where they piled up as garbage: the dynamic provider process of a
 * 500-resource `pulumi refresh` peaked about 50 MB higher than with this transport.
 */
export function createHttpTransport(baseUrl: string, timeoutMs: number): Transport {
  const base = new URL(baseUrl);
  const secure = base.protocol === "https:";
  if (!secure && base.protocol !== "http:") throw new Error(`unsupported protocol in ${baseUrl}`);
  const agent = secure ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
  const send = secure ? https.request : http.request;
  const hostname = base.hostname.replace(/^\[(.*)\]$/, "$1"); // [::1] -> ::1
  const port = base.port === "" ? undefined : Number(base.port);

  return (request) =>
    new Promise<HttpResponse>((resolve, reject) => {
      const headers: Record<string, string> = {
        Accept: "application/json",
        "User-Agent": USER_AGENT,
        ...request.headers,
      };
      let body: string | undefined;
      if (request.form !== undefined) {
        headers["Content-Type"] = "application/x-www-form-urlencoded";
        body = new URLSearchParams(request.form).toString();
      } else if (request.json !== undefined) {
        headers["Content-Type"] = "application/json";
        body = JSON.stringify(request.json);
      }
      if (body !== undefined) headers["Content-Length"] = String(Buffer.byteLength(body));

      let settled = false;
      const fail = (error: unknown): void => {
        if (settled) return;
        settled = true;
        const code = (error as { code?: unknown } | undefined)?.code;
        reject(new TransportError(typeof code === "string" ? code : "ERR_NETWORK", { cause: stripRequest(error) }));
        // Whatever failed (a decoder, a timeout), the socket is in an unknown state: don't return it to the pool.
        req.destroy();
      };
      // `timeout` (not only req.setTimeout) so that DNS lookup and connect are limited too.
      const req = send(
        { hostname, port, path: request.path, method: request.method, headers, agent, timeout: timeoutMs },
        (res) => {
          const decoded = decode(res);
          const chunks: Buffer[] = [];
          decoded.on("data", (chunk: Buffer) => chunks.push(chunk));
          decoded.on("error", fail);
          res.on("error", fail);
          res.on("aborted", () =>
            fail(
              Object.assign(new Error("the connection closed before the answer was complete"), { code: "ECONNRESET" }),
            ),
          );
          decoded.on("end", () => {
            if (settled) return;
            settled = true;
            const text = stripBom(Buffer.concat(chunks).toString("utf8"));
            resolve({ status: res.statusCode ?? 0, headers: lowerCaseHeaders(res.headers), data: parseBody(text) });
          });
        },
      );
      req.on("error", fail);
      req.on("timeout", () =>
        fail(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: "ETIMEDOUT" })),
      );
      req.end(body);
    });
}

const USER_AGENT = "pulumi-auth0-permissions";

/** A server may compress even unasked; we never ask (Accept-Encoding is not sent), but still read it. */
function decode(res: http.IncomingMessage): NodeJS.ReadableStream {
  // No body to decode, whatever the headers say (a 204 or 304 marked gzip would fail the decoder).
  if (res.statusCode === 204 || res.statusCode === 304 || res.headers["content-length"] === "0") return res;
  const encoding = String(res.headers["content-encoding"] ?? "")
    .trim()
    .toLowerCase();
  const inflate =
    encoding === "gzip" || encoding === "x-gzip"
      ? zlib.createGunzip()
      : encoding === "deflate"
        ? zlib.createInflate()
        : encoding === "br"
          ? zlib.createBrotliDecompress()
          : undefined;
  return inflate ? res.pipe(inflate) : res;
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function parseBody(raw: string): unknown {
  if (raw.trim() === "") return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function lowerCaseHeaders(headers: http.IncomingHttpHeaders): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value === undefined ? undefined : String(value);
  }
  return out;
}

/** A socket error can carry request details: keep only what is safe to show. */
function stripRequest(error: unknown): unknown {
  if (error instanceof Error) {
    const safe = new Error(error.message);
    safe.name = error.name;
    return safe;
  }
  return undefined;
}
