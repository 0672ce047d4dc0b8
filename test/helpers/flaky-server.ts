import * as http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A real loopback server that resets the first `resets` API connections, then answers. nock's
 * replyWithError does not reach the transport as a socket error, so connection resets are tested for real.
 */
export async function startFlakyServer(
  resets: number,
): Promise<{ url: string; close: () => Promise<void>; apiRequests: () => number }> {
  let apiRequests = 0;
  const server = http.createServer((req, res) => {
    if (req.url === "/oauth/token") {
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ access_token: "tok", expires_in: 86400 }));
      return;
    }
    apiRequests++;
    if (apiRequests <= resets) {
      req.socket.destroy();
      return;
    }
    res.writeHead(200, { "content-type": "application/json" }).end("[]");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    apiRequests: () => apiRequests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
