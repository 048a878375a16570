/** The container's command, `node dist/main.js`: it consumes QUEUE_URL and stops cleanly on
 * SIGTERM. */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";

import { SendMessageCommand } from "@aws-sdk/client-sqs";

import { type LocalSqs, startLocalSqs } from "./helpers/sqs.js";

const MAIN = fileURLToPath(new URL("../src/main.js", import.meta.url));

let sqs: LocalSqs;
before(async () => {
  sqs = await startLocalSqs();
});
after(async () => {
  await sqs.stop();
});

test("the worker handles a message and stops on SIGTERM", async () => {
  const queue = await sqs.makeQueue();
  await sqs.client.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: '{"order": 42}' }));
  const worker = spawn(process.execPath, [MAIN], {
    env: { ...process.env, ...sqs.environment, APP_ENV: "test", QUEUE_URL: queue.url, RECEIVE_WAIT_SECONDS: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  worker.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  worker.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => worker.once("exit", resolve));
  try {
    const deadline = Date.now() + 30_000;
    while ((await sqs.messagesIn(queue.url)) > 0 && Date.now() < deadline) {
      assert.equal(worker.exitCode, null, output);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.equal(await sqs.messagesIn(queue.url), 0);
  } finally {
    worker.kill("SIGTERM");
  }

  assert.equal(await exited, 0, output);
  assert.match(output, /handled message/);
});

test("without a queue the worker refuses to start", () => {
  const environ = { ...process.env };
  delete environ.QUEUE_URL;

  const worker = spawnSync(process.execPath, [MAIN], { env: environ, encoding: "utf8", timeout: 30_000 });

  assert.equal(worker.status, 2);
  assert.match(worker.stderr, /QUEUE_URL is not set/);
});
