import { brotliCompressSync, deflateSync, gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { Auth0NetworkError } from "../../src/errors";
import {
  failureOf,
  hostileClient,
  hostileSettings,
  readUser,
  startServer,
  tokenThen,
  type Handler,
} from "./support/servers";

/**
 * Servers that never finish or answer too much: every attempt must end by its total deadline, and no
 * answer may grow the process past the body cap.
 */
const running: { close: () => Promise<void> }[] = [];
const timers: NodeJS.Timeout[] = [];
afterEach(async () => {
  for (const timer of timers.splice(0)) clearInterval(timer);
  for (const server of running.splice(0)) await server.close();
});

async function serve(handler: Handler): Promise<string> {
  const server = await startServer(handler);
  running.push(server);
  return server.url;
}

/** Writes one byte every 50 ms, forever: never silent long enough for an idle timeout. */
const trickle: Handler = (_req, res) => {
  res.writeHead(200, { "content-type": "application/json" });
  res.write("{");
  timers.push(setInterval(() => res.write(" "), 50));
};

describe("hostile servers: time and size bounds", () => {
  it("a trickling API answer fails each attempt at requestTimeoutMs instead of waiting forever", async () => {
    const url = await serve(tokenThen(trickle));
    const settings = hostileSettings(url, { requestTimeoutMs: 400, maxRetries: 1 });
    const { error, ms } = await failureOf(hostileClient(url, settings).client.request(readUser));
    expect(error).toBeInstanceOf(Auth0NetworkError);
    expect(error.message).toMatch(/failed with ETIMEDOUT after 2 attempts \(.*no complete answer within 400 ms/);
    // two attempts of 400 ms and one backoff of at most 500 ms, with slack for a loaded machine
    expect(ms).toBeLessThan(4_000);
  }, 10_000);

  it("a trickling token endpoint fails the token request at requestTimeoutMs, and every waiting resource with it", async () => {
    const url = await serve(trickle);
    const settings = hostileSettings(url, { requestTimeoutMs: 400, maxRetries: 0 });
    const { client } = hostileClient(url, settings);
    const started = Date.now();
    const results = await Promise.allSettled([1, 2, 3].map(() => client.request(readUser)));
    expect(Date.now() - started).toBeLessThan(4_000);
    for (const result of results) {
      expect(result.status).toBe("rejected");
      expect(String((result as PromiseRejectedResult).reason.message)).toMatch(
        /get an access token .*POST \/oauth\/token failed with ETIMEDOUT/,
      );
    }
  }, 10_000);

  it("a huge body fails with an error that names the cap, without reading it all", async () => {
    let sent = 0;
    const url = await serve(
      tokenThen((_req, res) => {
        res.writeHead(200, { "content-type": "application/json" });
        const chunk = Buffer.alloc(1 << 20, 0x20);
        const pump = (): void => {
          while (sent < 512 << 20 && res.write(chunk)) sent += chunk.length;
          if (sent < 512 << 20) res.once("drain", pump);
          else res.end();
        };
        pump();
      }),
    );
    const settings = hostileSettings(url, { requestTimeoutMs: 10_000, maxRetries: 0 });
    const { error } = await failureOf(hostileClient(url, settings).client.request(readUser));
    expect(error.message).toMatch(
      /failed with ERR_RESPONSE_TOO_LARGE \(.*larger than 4194304 bytes \(pulumi-auth0-permissions:maxResponseBytes\)/,
    );
    expect(sent).toBeLessThan(64 << 20); // it stopped reading: the server stalled on back-pressure
  }, 20_000);

  const bomb = Buffer.alloc(64 << 20, 0x20); // 64 MiB of spaces: a few hundred KB compressed
  for (const [encoding, compress] of [
    ["gzip", gzipSync],
    ["deflate", deflateSync],
    ["br", brotliCompressSync],
  ] as const) {
    it(`a compression bomb (${encoding}, answered although never asked for) is refused, not inflated`, async () => {
      const packed = compress(bomb);
      let asked: string | undefined;
      const url = await serve(
        tokenThen((req, res) => {
          asked = req.headers["accept-encoding"];
          res.writeHead(200, { "content-type": "application/json", "content-encoding": encoding }).end(packed);
        }),
      );
      const before = process.memoryUsage().rss;
      const settings = hostileSettings(url, { maxRetries: 0, requestTimeoutMs: 10_000 });
      const { error } = await failureOf(hostileClient(url, settings).client.request(readUser));
      expect(asked).toBe("identity");
      expect(error.message).toMatch(
        new RegExp(
          `failed with ERR_CONTENT_ENCODING \\(.*Content-Encoding: ${encoding}\\) although none was asked for`,
        ),
      );
      expect(process.memoryUsage().rss - before).toBeLessThan(48 << 20);
    }, 20_000);
  }
});
