import * as http from "node:http";
import * as net from "node:net";
import type { AddressInfo } from "node:net";
import { closeServer } from "./servers";

/**
 * A real forward proxy on 127.0.0.1: `CONNECT host:port` opens a blind tunnel (as corporate proxies do
 * for https), and a plain `GET http://…` is forwarded. It records what it saw: every CONNECT target,
 * every plain request, and every byte that went through a tunnel, so a test can check that no header
 * crossed it in the clear. With `credentials`, it answers 407 unless Proxy-Authorization matches.
 */
export async function startConnectProxy(credentials?: { user: string; password: string }) {
  const connects: string[] = [];
  const plain: { url: string; headers: http.IncomingHttpHeaders }[] = [];
  const tunnelled: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  const expected = credentials
    ? `Basic ${Buffer.from(`${credentials.user}:${credentials.password}`).toString("base64")}`
    : undefined;
  const server = http.createServer((req, res) => {
    plain.push({ url: req.url ?? "", headers: req.headers });
    if (expected && req.headers["proxy-authorization"] !== expected) {
      res.writeHead(407, { "Proxy-Authenticate": 'Basic realm="hostile"' }).end();
      return;
    }
    const target = new URL(req.url ?? "");
    const upstream = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method: req.method,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  server.on("connect", (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    connects.push(req.url ?? "");
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    client.on("error", () => client.destroy());
    if (expected && req.headers["proxy-authorization"] !== expected) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="hostile"\r\n\r\n');
      return;
    }
    const [host, port] = splitHostPort(req.url ?? "");
    const upstream = net.connect(port, host, () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length > 0) upstream.write(head);
      client.on("data", (chunk: Buffer) => tunnelled.push(Buffer.from(chunk)));
      client.pipe(upstream);
      upstream.pipe(client);
    });
    sockets.add(upstream);
    upstream.on("close", () => sockets.delete(upstream));
    upstream.on("error", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    connects,
    plain,
    /** Everything the client sent through its tunnels, as one buffer. */
    tunnelledBytes: () => Buffer.concat(tunnelled),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await closeServer(server);
    },
  };
}

function splitHostPort(target: string): [string, number] {
  const at = target.lastIndexOf(":");
  return [target.slice(0, at).replace(/^\[(.*)\]$/, "$1"), Number(target.slice(at + 1))];
}
