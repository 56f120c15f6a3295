import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The interpreter tier has its own configuration (npm run test:espruino, part of npm test).
    exclude: ["test/espruino/**", "node_modules/**"],
    // The power-loss sweep has its own runner (npm run test:powerloss); a small
    // slice of it runs here as a normal test.
    testTimeout: 60_000,
    pool: "forks",
  },
});
