/** receive -> handle -> delete, and the dead-letter path, against moto's SQS server. */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { ReceiveMessageCommand, SendMessageCommand } from "@aws-sdk/client-sqs";

import { Consumer } from "../src/consumer.js";
import type { Message } from "../src/handler.js";
import { createLogger } from "../src/log.js";
import { type LocalSqs, startLocalSqs } from "./helpers/sqs.js";

const quiet = createLogger("consumer", "critical-only");
let sqs: LocalSqs;
before(async () => {
  sqs = await startLocalSqs();
});
after(async () => {
  await sqs.stop();
});

async function sendTo(queueUrl: string, body: string): Promise<string> {
  const sent = await sqs.client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
  return sent.MessageId ?? "";
}

test("a handled message is deleted", async () => {
  const queue = await sqs.makeQueue();
  await sendTo(queue.url, '{"order": 42}');

  const batch = await new Consumer(sqs.client, queue.url, { waitSeconds: 1, logger: quiet }).pollOnce();

  assert.deepEqual(batch, { handled: 1, failed: 0 });
  assert.equal(await sqs.messagesIn(queue.url), 0);
  assert.equal(await sqs.messagesIn(queue.deadLetterUrl), 0);
});

test("the handler is given the message", async () => {
  const queue = await sqs.makeQueue();
  const messageId = await sendTo(queue.url, '{"order": 42}');
  const seen: Message[] = [];

  await new Consumer(sqs.client, queue.url, {
    handler: (message) => {
      seen.push(message);
    },
    waitSeconds: 1,
  }).pollOnce();

  assert.deepEqual(seen, [{ messageId, body: '{"order": 42}', receiveCount: 1 }]);
});

test("a failed message stays on the queue for another try", async () => {
  const queue = await sqs.makeQueue({ visibilityTimeoutSeconds: 30 });
  await sendTo(queue.url, "not json");

  const batch = await new Consumer(sqs.client, queue.url, { waitSeconds: 1, logger: quiet }).pollOnce();

  assert.deepEqual(batch, { handled: 0, failed: 1 });
  assert.equal(await sqs.messagesIn(queue.url), 1); // in flight until the visibility timeout ends
});

test("a message that keeps failing goes to the dead-letter queue", async () => {
  const queue = await sqs.makeQueue({ maxReceiveCount: 3, visibilityTimeoutSeconds: 0 });
  await sendTo(queue.url, "not json");
  const consumer = new Consumer(sqs.client, queue.url, { waitSeconds: 1, logger: quiet });

  const failures: number[] = [];
  for (let receive = 0; receive < queue.maxReceiveCount; receive += 1) {
    failures.push((await consumer.pollOnce()).failed);
  }
  const afterwards = await consumer.pollOnce(); // the next receive finds it over the limit

  assert.deepEqual(failures, [1, 1, 1]);
  assert.deepEqual(afterwards, { handled: 0, failed: 0 });
  assert.equal(await sqs.messagesIn(queue.url), 0);
  const dead = await sqs.client.send(
    new ReceiveMessageCommand({ QueueUrl: queue.deadLetterUrl, WaitTimeSeconds: 1 }),
  );
  assert.deepEqual(dead.Messages?.map((message) => message.Body), ["not json"]);
});

test("each retry sees its receive count", async () => {
  const queue = await sqs.makeQueue({ maxReceiveCount: 3, visibilityTimeoutSeconds: 0 });
  await sendTo(queue.url, "{}");
  const counts: number[] = [];
  const consumer = new Consumer(sqs.client, queue.url, {
    handler: (message) => {
      counts.push(message.receiveCount);
      throw new Error("not yet");
    },
    waitSeconds: 1,
    logger: quiet,
  });

  for (let receive = 0; receive < queue.maxReceiveCount; receive += 1) {
    await consumer.pollOnce();
  }

  assert.deepEqual(counts, [1, 2, 3]);
});

test("run finishes its batch and returns once stopped", async () => {
  const queue = await sqs.makeQueue();
  await sendTo(queue.url, "{}");
  const stop = new AbortController();

  await new Consumer(sqs.client, queue.url, {
    handler: () => {
      stop.abort(); // as SIGTERM would, while a message is being handled
    },
    waitSeconds: 1,
  }).run(stop.signal);

  assert.equal(await sqs.messagesIn(queue.url), 0);
});
