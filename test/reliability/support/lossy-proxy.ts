import { createServer, connect, type Server, type Socket } from "node:net";

/**
 * A TCP proxy in front of the emulator that can lose answers after the tenant acted on them: the
 * one failure a fault inside the emulator cannot produce (its faults act before a request is
 * served). When armed, the first bytes the emulator sends back after `shouldDrop()` says yes are
 * not forwarded: both connections are destroyed, so the client sees a reset for a request that
 * was applied. TLS passes through untouched, so the client still talks to the emulator's
 * certificate, on the host name `localhost`.
 */
export interface LossyProxy {
  readonly port: number;
  readonly domain: string;
  /** Answers lost so far. */
  readonly dropped: number;
  stop(): Promise<void>;
}

export async function startLossyProxy(targetPort: number, shouldDrop: () => boolean): Promise<LossyProxy> {
  const sockets = new Set<Socket>();
  let dropped = 0;
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, "127.0.0.1");
    sockets.add(client);
    sockets.add(upstream);
    const closeBoth = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on("data", (chunk) => upstream.write(chunk));
    upstream.on("data", (chunk) => {
      if (shouldDrop()) {
        dropped++;
        // A reset, as a broken network gives: no answer for a request the tenant has applied.
        client.resetAndDestroy();
        upstream.destroy();
        return;
      }
      client.write(chunk);
    });
    client.on("close", () => {
      sockets.delete(client);
      upstream.destroy();
    });
    upstream.on("close", () => {
      sockets.delete(upstream);
      client.destroy();
    });
    client.on("error", closeBoth);
    upstream.on("error", closeBoth);
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      resolve(typeof address === "object" && address !== null ? address.port : 0);
    });
  });
  return {
    port,
    domain: `localhost:${port}`,
    get dropped() {
      return dropped;
    },
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
