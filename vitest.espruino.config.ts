import { defineConfig } from "vitest/config";

// The interpreter tier (npm run test:espruino): the firmware on the real Espruino Linux
// build named by $ESPRUINO_BIN. Without it the suite is skipped and says so.
export default defineConfig({
  test: {
    include: ["test/espruino/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: "forks",
    fileParallelism: false,
  },
});
