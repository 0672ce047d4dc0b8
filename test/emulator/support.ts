import { readFileSync } from "node:fs";
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { afterAll, beforeAll, expect } from "vitest";
import { startEmulator, type EmulatorOptions, type RunningEmulator, type SeedDocument } from "../../src/emulator";
import { API, wire } from "../helpers/tenant";

export { API };

export const OTHER_API = "https://other.example.com";

/** A tenant most tests start from: two APIs, a reader role, alice (direct) and bob (via the role). */
export function standardSeed(): SeedDocument {
  return {
    resource_servers: [
      {
        identifier: API,
        name: "Example API",
        scopes: [
          { value: "read:foo", description: "Can read Foo" },
          { value: "create:foo", description: "Can create Foo" },
          "delete:foo",
        ],
      },
      { identifier: OTHER_API, name: "Other API", scopes: ["read:bar"] },
    ],
    roles: [
      {
        id: "rol_reader",
        name: "Reader",
        description: "Reads foo",
        permissions: [wire("read:foo"), wire("create:foo")],
      },
    ],
    users: [
      { user_id: "auth0|alice", permissions: [wire("read:foo")] },
      { user_id: "auth0|bob", roles: ["rol_reader"] },
      { user_id: "auth0|carol" },
    ],
  };
}

export interface HttpResult {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json: unknown;
}

export interface RequestInit {
  body?: unknown;
  /** Sent as application/x-www-form-urlencoded instead of JSON. */
  form?: Record<string, string>;
  rawBody?: string;
  headers?: Record<string, string>;
  token?: string | null;
}

/** Auth0's 404 body for a user id it does not know. */
export const INEXISTENT_USER = {
  statusCode: 404,
  error: "Not Found",
  message: "The user does not exist.",
  errorCode: "inexistent_user",
};

/** Auth0's 404 body for a role id it does not know: no errorCode. */
export const INEXISTENT_ROLE = { statusCode: 404, error: "Not Found", message: "The role does not exist." };

/** The three calls of a permissions endpoint, each with a valid body where it takes one: a table for `it.each`. */
export const PERMISSION_CALLS: Array<[method: string, body: { permissions: unknown[] } | undefined]> = [
  ["GET", undefined],
  ["POST", { permissions: [wire("read:foo")] }],
  ["DELETE", { permissions: [wire("read:foo")] }],
];

/** The emulator answered exactly this: the HTTP status, and a JSON body equal to `json`. */
export function expectAnswer(result: HttpResult, status: number, json: unknown): void {
  expect(result.status).toBe(status);
  expect(result.json).toEqual(json);
}

/** The emulator answered the HTTP status, with a JSON body holding at least the properties of `json`. */
export function expectAnswerLike(result: HttpResult, status: number, json: object): void {
  expect(result.status).toBe(status);
  expect(result.json).toMatchObject(json);
}

/** Real HTTPS requests to the emulator, trusting only its CA, over keep-alive connections. */
export class TestClient {
  private readonly agent: HttpsAgent | HttpAgent;
  private cachedToken: string | undefined;

  constructor(readonly emulator: Pick<RunningEmulator, "url" | "domain" | "caCertPath" | "clientId" | "clientSecret">) {
    this.agent =
      emulator.caCertPath === undefined
        ? new HttpAgent({ keepAlive: true })
        : new HttpsAgent({ keepAlive: true, ca: readFileSync(emulator.caCertPath) });
  }

  request(method: string, path: string, init: RequestInit = {}): Promise<HttpResult> {
    const headers: Record<string, string> = { ...init.headers };
    let payload: string | undefined;
    if (init.form !== undefined) {
      headers["content-type"] ??= "application/x-www-form-urlencoded";
      payload = new URLSearchParams(init.form).toString();
    } else if (init.rawBody !== undefined) {
      headers["content-type"] ??= "application/json";
      payload = init.rawBody;
    } else if (init.body !== undefined) {
      headers["content-type"] ??= "application/json";
      payload = JSON.stringify(init.body);
    }
    if (init.token !== undefined && init.token !== null) headers["authorization"] ??= `Bearer ${init.token}`;
    // Node sends DELETE bodies without chunked encoding, so the length must be explicit.
    if (payload !== undefined) headers["content-length"] = String(Buffer.byteLength(payload));
    const url = new URL(path, this.emulator.url);
    const send = this.emulator.caCertPath === undefined ? httpRequest : httpsRequest;
    return new Promise((resolve, reject) => {
      const request = send(url, { method, headers, agent: this.agent }, (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let json: unknown;
          try {
            json = text === "" ? undefined : JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: response.statusCode ?? 0, headers: response.headers, text, json });
        });
        response.on("error", reject);
      });
      request.on("error", reject);
      request.end(payload);
    });
  }

  /** POST /oauth/token with the client credentials grant for the API, as the library sends it. */
  tokenRequest(clientId = this.emulator.clientId, clientSecret = this.emulator.clientSecret): Promise<HttpResult> {
    return this.request("POST", "/oauth/token", {
      form: {
        grant_type: "client_credentials",
        client_id: clientId,
        client_secret: clientSecret,
        audience: `https://${this.emulator.domain}/api/v2/`,
      },
    });
  }

  async token(clientId = this.emulator.clientId, clientSecret = this.emulator.clientSecret): Promise<string> {
    const result = await this.tokenRequest(clientId, clientSecret);
    if (result.status !== 200) throw new Error(`token request failed: ${result.status} ${result.text}`);
    return (result.json as { access_token: string }).access_token;
  }

  /** A Management API call with the default client's token (fetched once). */
  async api(
    method: string,
    path: string,
    body?: unknown,
    init: Omit<RequestInit, "body" | "token"> = {},
  ): Promise<HttpResult> {
    this.cachedToken ??= await this.token();
    return this.request(method, `/api/v2${path}`, { ...init, body, token: this.cachedToken });
  }

  forgetToken(): void {
    this.cachedToken = undefined;
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Starts an emulator for the enclosing describe block and stops it afterwards. */
export function useEmulator(options: () => EmulatorOptions = () => ({ seed: standardSeed() })): {
  readonly emulator: RunningEmulator;
  readonly client: TestClient;
} {
  let emulator: RunningEmulator | undefined;
  let client: TestClient | undefined;
  beforeAll(async () => {
    emulator = await startEmulator(options());
    client = new TestClient(emulator);
  });
  afterAll(async () => {
    client?.close();
    await emulator?.stop();
  });
  return {
    get emulator() {
      if (emulator === undefined) throw new Error("emulator not started");
      return emulator;
    },
    get client() {
      if (client === undefined) throw new Error("emulator not started");
      return client;
    },
  };
}
