import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startEmulator } from "../../src/emulator";
import { TestClient } from "./support";

describe("caDir", () => {
  it("two emulators started at once with the same new caDir share one CA, serve with it, and leave it on stop", async () => {
    const caDir = join(mkdtempSync(join(tmpdir(), "emulator-ca-dir-")), "nested", "ca");
    const emulators = await Promise.all([startEmulator({ caDir }), startEmulator({ caDir })]);
    try {
      expect(emulators.map((emulator) => emulator.caCertPath)).toEqual([join(caDir, "ca.pem"), join(caDir, "ca.pem")]);
      for (const emulator of emulators) {
        // Trust only the file as it is now: each server's certificate must chain to that one CA.
        const client = new TestClient(emulator);
        try {
          expect((await client.api("GET", "/resource-servers")).status).toBe(200);
        } finally {
          client.close();
        }
      }
    } finally {
      await Promise.all(emulators.map((emulator) => emulator.stop()));
    }
    expect(readFileSync(join(caDir, "ca.pem"), "utf8")).toContain("BEGIN CERTIFICATE");
    expect(existsSync(join(caDir, "ca-key.pem"))).toBe(true);
  });
});
