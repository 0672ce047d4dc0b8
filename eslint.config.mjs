// ESLint, configured once: the recommended rules of ESLint and typescript-eslint, without type information
// (fast, and independent of tsconfig; `npm run typecheck` does the type checking). `npm test` runs it.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import globals from "globals";

export default tseslint.config(
  {
    ignores: [
      "dist/",
      "coverage/",
      "docs/api/",
      "bench/results/",
      "tools/",
      // Frozen: the exact text 0.1.0 wrote into state; a test compares it byte for byte.
      "test/e2e/fixtures/",
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      // `_`-prefixed names and rest siblings (`const { secret: _omitted, ...rest } = env`) are unused on purpose.
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none", ignoreRestSiblings: true },
      ],
      // A closure that reads a variable before its single assignment (the emulator's request handler) needs `let`.
      "prefer-const": ["error", { ignoreReadBeforeAssign: true }],
    },
  },
  {
    // `require` at call time is the point here: the serialized forwarder loads the installed package when the
    // engine calls it, the emulator loads its optional node-forge only when it needs it, and the benchmark
    // programs and the serialization test are CommonJS on purpose.
    files: [
      "src/resources/forwarding-provider.ts",
      "src/emulator/tls.ts",
      "bench/programs/**/*.js",
      "test/unit/resources/serialization.test.ts",
    ],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
