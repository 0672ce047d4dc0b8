import type { DynamicHost } from "./dynamic-host";
import { currentUrn } from "./request-urn";

/**
 * Where the lines the provider prints go: retries, drift warnings, refused permissions, the TLS warning.
 *
 * The dynamic provider host does not connect to the engine, so a line written to stderr reaches the engine
 * as unstructured output with no resource, and the CLI shows it under the Stack. The engine passes every
 * provider its own address as its last argument, and its `Log` RPC takes the URN of the resource a message
 * belongs to, which is how native providers attach their warnings. So, inside a recognised host, a line
 * written while serving a request whose URN is known (request-urn.ts) is sent there, and the CLI shows it
 * under that resource; `warning: ` lines as warnings. Everything else, and every line when the engine cannot
 * be reached, goes to stderr as before: `pulumi-auth0-permissions: <line>`, which names the user or role.
 *
 * Lines are sent one at a time, in order, each bounded by LOG_DEADLINE_MS. One that fails goes to stderr,
 * and so does every later one: nothing is lost. `flush` waits for the lines sent so far; the handlers
 * return only after it (host-boundary.ts), so no line is left undelivered when the engine stops the host.
 */
export type Severity = "info" | "warning";

/** Sends one message to the engine for a resource; rejects when it was not delivered. */
export type EngineSend = (urn: string, severity: Severity, message: string) => Promise<void>;

export const LOG_DEADLINE_MS = 5_000;
export const PACKAGE_NAME = "pulumi-auth0-permissions";
export const STDERR_PREFIX = `${PACKAGE_NAME}: `;
const WARNING_PREFIX = "warning: ";

/** A provider line as the engine takes it: its severity and the message without our `warning: ` prefix. */
export function classifyLine(line: string): { severity: Severity; message: string } {
  return line.startsWith(WARNING_PREFIX)
    ? { severity: "warning", message: line.slice(WARNING_PREFIX.length) }
    : { severity: "info", message: line };
}

/** The engine's address among the host's arguments: the last one, and only a loopback `host:port`. */
export function engineAddress(args: readonly string[]): string | undefined {
  const last = args[args.length - 1];
  if (last === undefined) return undefined;
  const match = /^(?:127\.0\.0\.1|localhost|\[::1\]):(\d{1,5})$/.exec(last);
  const port = match ? Number(match[1]) : 0;
  return port >= 1 && port <= 65535 ? last : undefined;
}

export interface ProviderLinesOptions {
  /** Where a line goes when it is not sent to the engine (a whole line, with its newline). */
  readonly fallback: (text: string) => void;
  /** The URN of the request being served, if known. */
  readonly urn: () => string | undefined;
}

export class ProviderLines {
  private send: EngineSend | undefined;
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly options: ProviderLinesOptions) {}

  /** From now on, lines of a known resource go to the engine. */
  connect(send: EngineSend): void {
    this.send = send;
  }

  write(line: string): void {
    const urn = this.options.urn();
    if (urn === undefined || this.send === undefined) {
      this.toFallback(line);
      return;
    }
    const { severity, message } = classifyLine(line);
    this.tail = this.tail.then(async () => {
      const send = this.send;
      if (send === undefined) return this.toFallback(line);
      try {
        await send(urn, severity, message);
      } catch {
        // The engine did not take it: this line and all later ones go to stderr.
        this.send = undefined;
        this.toFallback(line);
      }
    });
  }

  /** Resolves when every line written so far was delivered, or written to stderr. */
  flush(): Promise<void> {
    return this.tail;
  }

  private toFallback(line: string): void {
    this.options.fallback(`${STDERR_PREFIX}${line}\n`);
  }
}

/** The process's lines: to stderr until `connectEngine` succeeds. */
export const providerLines = new ProviderLines({
  fallback: (text) => void process.stderr.write(text),
  urn: currentUrn,
});

interface EngineProto {
  LogRequest: new () => {
    setSeverity(value: number): unknown;
    setMessage(value: string): unknown;
    setUrn(value: string): unknown;
    setEphemeral(value: boolean): unknown;
  };
  LogSeverity: Record<string, number | undefined>;
}
interface EngineClient {
  log(request: unknown, metadata: unknown, options: { deadline: number }, done: (error: unknown) => void): unknown;
}
interface GrpcJs {
  credentials: { createInsecure(): unknown };
  Metadata: new () => unknown;
}

/**
 * Connects `lines` to the engine whose address the host was given, with the host's own gRPC library and
 * messages. False, and nothing changed, when the address or any of them is not what was read.
 */
export function connectEngine(host: DynamicHost, lines: ProviderLines = providerLines): boolean {
  const address = engineAddress(host.args);
  if (address === undefined) return false;
  let grpc: GrpcJs;
  let messages: EngineProto;
  let Client: new (address: string, credentials: unknown) => EngineClient;
  try {
    grpc = host.require("@grpc/grpc-js") as GrpcJs;
    messages = host.require("../../proto/engine_pb") as EngineProto;
    Client = (host.require("../../proto/engine_grpc_pb") as { EngineClient: typeof Client }).EngineClient;
  } catch {
    return false;
  }
  const severities = { info: messages.LogSeverity?.["INFO"], warning: messages.LogSeverity?.["WARNING"] };
  if (
    typeof Client !== "function" ||
    typeof messages.LogRequest !== "function" ||
    typeof severities.info !== "number" ||
    typeof severities.warning !== "number"
  ) {
    return false;
  }
  let client: EngineClient | undefined;
  lines.connect(
    (urn, severity, message) =>
      new Promise<void>((resolve, reject) => {
        client ??= new Client(address, grpc.credentials.createInsecure());
        const request = new messages.LogRequest();
        request.setSeverity(severities[severity]!);
        request.setMessage(message);
        request.setUrn(urn);
        request.setEphemeral(false);
        client.log(request, new grpc.Metadata(), { deadline: Date.now() + LOG_DEADLINE_MS }, (error) =>
          error ? reject(error) : resolve(),
        );
      }),
  );
  return true;
}
