import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

import { EXIT_FAILED, EXIT_OK, EXIT_TIMED_OUT, main } from "../src/job.js";

const MAIN = fileURLToPath(new URL("../src/main.js", import.meta.url));
const QUIET = { LOG_LEVEL: "critical-only" };

test("a run that finishes exits 0", async () => {
  let runs = 0;

  const status = await main(async () => {
    runs += 1;
    await Promise.resolve();
  }, QUIET);

  assert.deepEqual([status, runs], [EXIT_OK, 1]);
});

test("a run that throws exits 1", async () => {
  const status = await main(() => Promise.reject(new Error("the work broke")), QUIET);

  assert.equal(status, EXIT_FAILED);
});

test("a run past JOB_TIMEOUT_SECONDS is stopped and exits 124, its signal aborted", async () => {
  let aborted = false;

  const status = await main(
    (_settings, _logger, signal) =>
      new Promise<void>((resolve) => {
        signal.addEventListener("abort", () => {
          aborted = true;
          resolve();
        });
      }),
    { ...QUIET, JOB_TIMEOUT_SECONDS: "1" },
  );

  assert.deepEqual([status, aborted], [EXIT_TIMED_OUT, true]);
});

test("the container's command runs the job once and exits 0", () => {
  const job = spawnSync(process.execPath, [MAIN], {
    env: { ...process.env, APP_ENV: "test", JOB_TIMEOUT_SECONDS: "30" },
    encoding: "utf8",
    timeout: 60_000,
  });

  assert.equal(job.status, 0, job.stderr);
  assert.match(job.stderr, /ran in test/);
});

test("a run that ignores its signal is still stopped at the timeout", async () => {
  const status = await main(
    () => new Promise<void>(() => undefined),
    { ...QUIET, JOB_TIMEOUT_SECONDS: "1" },
  );

  assert.equal(status, EXIT_TIMED_OUT);
});
