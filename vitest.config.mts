import { defineConfig } from "vitest/config";

// Layers of the test pyramid, each runnable alone with `vitest run --project <name>`.
export default defineConfig({
  test: {
    projects: [
      { test: { name: "unit", include: ["test/unit/**/*.test.ts"] } },
      { test: { name: "emulator", include: ["test/emulator/**/*.test.ts"] } },
      { test: { name: "provider", include: ["test/provider/**/*.test.ts"] } },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          globalSetup: ["test/e2e/support/global-setup.ts"],
          testTimeout: 15 * 60_000,
          hookTimeout: 30 * 60_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
