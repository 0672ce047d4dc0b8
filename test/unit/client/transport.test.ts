import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TransportError, createHttpTransport } from "../../../src/client/transport";

/** What the loopback server saw of one request. */
interface Seen {
  method: string | undefined;
  url: string | undefined;
  headers: http.IncomingHttpHeaders;
  body: string;
  socket: unknown;
}

let handler: (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void = (_req, res) => res.end();
const seen: Seen[] = [];
const server = http.createServer((req, res) => {
  let body = "";
  req.setEncoding("utf8");
  req.on("data", (chunk: string) => (body += chunk));
  req.on("end", () => {
    seen.push({ method: req.method, url: req.url, headers: req.headers, body, socket: req.socket });
    handler(req, res, body);
  });
});
let base = "";

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(() => {
  seen.length = 0;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function failure(promise: Promise<unknown>): Promise<TransportError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TransportError);
  return error as TransportError;
}

describe("the HTTP transport", () => {
  it("sends the path and headers, and answers status, lower-case headers and the parsed JSON body", async () => {
    handler = (_req, res) =>
      res
        .writeHead(200, { "Content-Type": "application/json", "X-RateLimit-Remaining": "9" })
        .end('{"permissions":[],"total":0}');
    const transport = createHttpTransport(base, 5_000);
    const response = await transport({
      method: "GET",
      path: "/api/v2/users/a%7Cb/permissions?page=0",
      headers: { Authorization: "Bearer t" },
    });
    expect(response).toMatchObject({ status: 200, data: { permissions: [], total: 0 } });
    expect(response.headers["x-ratelimit-remaining"]).toBe("9");
    expect(seen[0]).toMatchObject({ method: "GET", url: "/api/v2/users/a%7Cb/permissions?page=0", body: "" });
    expect(seen[0]?.headers).toMatchObject({ authorization: "Bearer t", accept: "application/json" });
    expect(seen[0]?.headers["accept-encoding"]).toBe("identity");
  });

  it("sends JSON bodies (DELETE included) and form bodies with their type and length", async () => {
    handler = (_req, res) => res.writeHead(204).end();
    const transport = createHttpTransport(base, 5_000);
    const json = { permissions: [{ resource_server_identifier: "https://api", permission_name: "read:é" }] };
    expect((await transport({ method: "DELETE", path: "/p", json })).status).toBe(204);
    await transport({
      method: "POST",
      path: "/oauth/token",
      form: { grant_type: "client_credentials", client_secret: "a&b=c" },
    });
    expect(JSON.parse(seen[0]?.body ?? "")).toEqual(json);
    expect(seen[0]?.headers).toMatchObject({
      "content-type": "application/json",
      "content-length": String(Buffer.byteLength(JSON.stringify(json))),
    });
    expect(Object.fromEntries(new URLSearchParams(seen[1]?.body))).toEqual({
      grant_type: "client_credentials",
      client_secret: "a&b=c",
    });
    expect(seen[1]?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
  });

  it("answers every status as it came, without following redirects; empty and non-JSON bodies pass through", async () => {
    const transport = createHttpTransport(base, 5_000);
    handler = (_req, res) => res.writeHead(302, { Location: "/elsewhere" }).end();
    expect(await transport({ method: "GET", path: "/r" })).toMatchObject({ status: 302, data: undefined });
    handler = (_req, res) => res.writeHead(503).end("Service Unavailable");
    expect(await transport({ method: "GET", path: "/r" })).toMatchObject({ status: 503, data: "Service Unavailable" });
    expect(seen.map((s) => s.url)).toEqual(["/r", "/r"]);
  });

  it("refuses a compressed body, which it never asks for, without inflating it", async () => {
    handler = (_req, res) =>
      res
        .writeHead(200, { "Content-Type": "application/json", "Content-Encoding": "gzip" })
        .end(gzipSync('{"ok":true}'));
    const error = await failure(createHttpTransport(base, 5_000)({ method: "GET", path: "/z" }));
    expect(error).toMatchObject({ kind: "refused-encoding", code: "ERR_CONTENT_ENCODING" });
    expect(error.message).toMatch(/Content-Encoding: gzip.*none was asked for/);
  });

  it("answers a 204 marked as compressed, which has no body to decode", async () => {
    handler = (_req, res) => res.writeHead(204, { "Content-Encoding": "gzip" }).end();
    const response = await createHttpTransport(base, 5_000)({ method: "POST", path: "/n", json: { a: 1 } });
    expect(response.status).toBe(204);
    expect(response.data).toBeUndefined();
  });

  it("keeps one connection alive across requests", async () => {
    handler = (_req, res) => res.writeHead(200).end("[]");
    const transport = createHttpTransport(base, 5_000);
    for (let i = 0; i < 3; i++) await transport({ method: "GET", path: "/k" });
    expect(new Set(seen.map((s) => s.socket)).size).toBe(1);
  });

  it("refuses a header value that axios would silently alter, before sending anything", async () => {
    handler = (_req, res) => res.writeHead(200).end("[]");
    const error = await failure(
      createHttpTransport(base, 5_000)({ method: "GET", path: "/h", headers: { Authorization: "Bearer tok\nen" } }),
    );
    expect(error).toMatchObject({ kind: "invalid-request", code: "ERR_INVALID_REQUEST" });
    expect(error.message).toMatch(/the Authorization header holds a character HTTP forbids/);
    expect(error.message).not.toContain("tok");
    expect(seen).toEqual([]);
  });

  it("fails with a timeout when the whole answer takes longer than the deadline, although bytes keep coming", async () => {
    let timer: NodeJS.Timeout | undefined;
    handler = (_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      timer = setInterval(() => res.write(" "), 20); // never silent for long: an idle timeout would not fire
    };
    const started = Date.now();
    const error = await failure(createHttpTransport(base, 300)({ method: "GET", path: "/trickle" }));
    clearInterval(timer);
    expect(error).toMatchObject({ kind: "timeout", code: "ETIMEDOUT" });
    expect(error.message).toMatch(/no complete answer within 300 ms/);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("fails with too-large when the body passes maxResponseBytes", async () => {
    handler = (_req, res) => res.writeHead(200).end(Buffer.alloc(200_000, 0x20));
    const error = await failure(
      createHttpTransport(base, 5_000, { maxResponseBytes: 65_536 })({ method: "GET", path: "/big" }),
    );
    expect(error).toMatchObject({ kind: "too-large", code: "ERR_RESPONSE_TOO_LARGE" });
    expect(error.message).toMatch(/larger than 65536 bytes \(pulumi-auth0-permissions:maxResponseBytes\)/);
  });

  it("fails with ETIMEDOUT when the server stays silent longer than the timeout", async () => {
    handler = () => {}; // never answers
    const error = await failure(createHttpTransport(base, 100)({ method: "GET", path: "/slow" }));
    expect(error.code).toBe("ETIMEDOUT");
  });

  it("fails with ECONNRESET when the connection drops before the answer is complete", async () => {
    handler = (_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json", "Content-Length": "1000" });
      res.write('{"permissions":[');
      setTimeout(() => res.socket?.destroy(), 20);
    };
    const error = await failure(createHttpTransport(base, 5_000)({ method: "GET", path: "/cut" }));
    expect(error.code).toBe("ECONNRESET");
  });

  it("fails with ECONNREFUSED when nothing listens, and keeps no request details in the cause", async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await failure(
      createHttpTransport(
        `http://127.0.0.1:${port}`,
        5_000,
      )({ method: "GET", path: "/x", headers: { Authorization: "Bearer secret-token" } }),
    );
    expect(error.code).toBe("ECONNREFUSED");
    expect(JSON.stringify(error.cause, Object.getOwnPropertyNames(error.cause))).not.toContain("secret-token");
    expect(Object.keys(error.cause as object)).toEqual(["name"]); // a bare Error: no config, headers or socket
  });
});
