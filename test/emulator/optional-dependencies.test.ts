import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { loadForge } from "../../src/emulator/tls";

const dist = resolve(__dirname, "../../dist");

// A process in which node-forge and jose are not installed: resolving either fails as a missing module does.
const hooks = `
import { registerHooks } from "node:module";
registerHooks({
  resolve(specifier, context, next) {
    if (specifier === "node-forge" || specifier === "jose") {
      const error = new Error("Cannot find module '" + specifier + "'");
      error.code = context.conditions?.includes("require") ? "MODULE_NOT_FOUND" : "ERR_MODULE_NOT_FOUND";
      throw error;
    }
    return next(specifier, context);
  },
});
`;

const script = `
const { createPublicKey, generateKeyPairSync } = require("node:crypto");
const library = require(${JSON.stringify(join(dist, "index.js"))});
const { startEmulator, clientAssertionType } = require(${JSON.stringify(join(dist, "emulator/index.js"))});
(async () => {
  const out = { library: typeof library.UserPermissions };
  const { publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const emulator = await startEmulator({
    http: true,
    seed: { clients: [{ client_id: "pk", public_key: publicKey.export({ type: "spki", format: "pem" }), scopes: [] }] },
  });
  const answer = await fetch(emulator.url + "/oauth/token", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "client_credentials", client_assertion_type: clientAssertionType,
      client_assertion: "a.b.c", audience: "https://" + emulator.domain + "/api/v2/" }),
  });
  out.assertion = { status: answer.status, body: await answer.json() };
  const plain = await fetch(emulator.url + "/oauth/token", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "client_credentials", client_id: emulator.clientId,
      client_secret: emulator.clientSecret, audience: "https://" + emulator.domain + "/api/v2/" }),
  });
  out.secret = plain.status;
  await emulator.stop();
  out.https = await startEmulator({}).then((e) => e.stop().then(() => "started"), (error) => error.message);
  console.log(JSON.stringify(out));
})();
`;

describe("node-forge and jose are optional", () => {
  it("loadForge explains a missing node-forge and how to do without it", () => {
    const missing = Object.assign(new Error("Cannot find module 'node-forge'"), { code: "MODULE_NOT_FOUND" });
    expect(() =>
      loadForge(() => {
        throw missing;
      }),
    ).toThrow(
      "needs the optional dependency node-forge to make its certificates: run `npm install node-forge`, or start the emulator with --http",
    );
  });

  it("without node-forge and jose the library loads, plain HTTP serves clients with a secret, and HTTPS and Private Key JWT fail naming the package", () => {
    if (!existsSync(join(dist, "emulator/index.js"))) throw new Error("run npm run build first");
    const folder = mkdtempSync(join(tmpdir(), "emulator-optional-"));
    writeFileSync(join(folder, "hooks.mjs"), hooks);
    writeFileSync(join(folder, "script.cjs"), script);
    const run = spawnSync(process.execPath, ["--import", join(folder, "hooks.mjs"), join(folder, "script.cjs")], {
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(run.stderr).not.toMatch(/Error/);
    const out = JSON.parse(run.stdout.trim().split("\n").at(-1) ?? "{}");
    expect(out).toEqual({
      library: "function",
      assertion: {
        status: 500,
        body: {
          error: "server_error",
          error_description:
            "The emulator's Private Key JWT support needs the optional dependency jose: run `npm install jose`",
        },
      },
      secret: 200,
      https: expect.stringContaining("needs the optional dependency node-forge"),
    });
  });
});
