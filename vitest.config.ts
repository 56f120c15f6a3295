import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The power-loss sweep has its own runner (npm run test:powerloss); a small
    // slice of it runs here as a normal test.
    testTimeout: 60_000,
    pool: "forks",
  },
});
