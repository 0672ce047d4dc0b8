import { afterEach, describe, expect, it } from "vitest";
import { Auth0ApiError, Auth0TokenError } from "../../src/errors";
import { SECRET, failureOf, hostileClient, hostileSettings, readUser, startServer, tokenThen } from "./support/servers";

/**
 * A server that echoes the client secret and the access token back in every field Auth0 uses, and in
 * the forms a server quotes them in (as sent, URL-encoded, JSON-escaped): none may reach an error or a log.
 */
const running: { close: () => Promise<void> }[] = [];
afterEach(async () => {
  for (const server of running.splice(0)) await server.close();
});

const TOKEN = "hostile-access-token";

/** Every way a value can come back: raw, URL-encoded (both flavours), JSON-escaped. */
function forms(value: string): string[] {
  return [
    value,
    encodeURIComponent(value),
    new URLSearchParams({ v: value }).toString().slice(2),
    JSON.stringify(value).slice(1, -1),
  ];
}

function expectClean(text: string): void {
  for (const secret of [SECRET, TOKEN]) {
    for (const form of forms(secret)) expect(text).not.toContain(form);
  }
}

describe("hostile servers: secrets echoed back", () => {
  it("an API error that echoes the token and the secret in message, errorCode and every other field prints neither", async () => {
    const echo = forms(SECRET).join(" | ") + " | " + forms(TOKEN).join(" | ");
    const server = await startServer(
      tokenThen((_req, res) =>
        res.writeHead(400, { "content-type": "application/json" }).end(
          JSON.stringify({
            statusCode: 400,
            error: `Bad Request ${echo}`,
            message: `you sent ${echo}`,
            errorCode: `invalid_${TOKEN}_${encodeURIComponent(SECRET)}`,
            attributes: { error: echo },
          }),
        ),
      ),
    );
    running.push(server);
    const { client, logs } = hostileClient(server.url, hostileSettings(server.url, { maxRetries: 0 }));
    const { error } = await failureOf(client.request(readUser));
    expect(error).toBeInstanceOf(Auth0ApiError);
    expect(error.message).toContain("Auth0 answered 400");
    expectClean(error.message);
    expectClean(String((error as Auth0ApiError).errorCode));
    expectClean(String((error as Auth0ApiError).auth0Message));
    expectClean(logs.join("\n"));
  });

  it("a token endpoint that echoes the secret in error and error_description prints it in no form", async () => {
    const server = await startServer((_req, res, body) =>
      res.writeHead(401, { "content-type": "application/json" }).end(
        JSON.stringify({
          error: `access_denied ${new URLSearchParams(body).get("client_secret")}`,
          // the form body as received: the secret URL-encoded
          error_description: `Unauthorized: ${body} / ${JSON.stringify(SECRET)}`,
        }),
      ),
    );
    running.push(server);
    const { client, logs } = hostileClient(server.url, hostileSettings(server.url, { maxRetries: 0 }));
    const { error } = await failureOf(client.request(readUser));
    expect(error).toBeInstanceOf(Auth0TokenError);
    expect(error.message).toMatch(/the token endpoint answered 401 \(access_denied \[REDACTED\]: Unauthorized:/);
    expectClean(error.message);
    expectClean(logs.join("\n"));
  });
});
