/**
 * The loop around `handle`: receive (long poll), handle each message, delete what was handled.
 *
 * A message whose handler threw is left alone: SQS hands it out again after the visibility
 * timeout, and moves it to the dead-letter queue after the queue's maximum receive count.
 */
import {
  DeleteMessageCommand,
  type Message as ReceivedMessage,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";

import { type Message, handle } from "./handler.js";
import { type Logger, createLogger } from "./log.js";

// SQS hands out at most 10 messages per receive.
export const BATCH_SIZE = 10;
// After a failed receive (network, throttling), wait this long before the next one.
export const RETRY_MILLISECONDS = 5000;

export interface Batch {
  readonly handled: number;
  readonly failed: number;
}

export type Handler = (message: Message) => void | Promise<void>;

export interface ConsumerOptions {
  readonly handler?: Handler;
  readonly waitSeconds?: number;
  readonly logger?: Logger;
}

function toMessage(received: ReceivedMessage): Message {
  return {
    messageId: received.MessageId ?? "",
    body: received.Body ?? "",
    receiveCount: Number(received.Attributes?.ApproximateReceiveCount ?? "1"),
  };
}

export class Consumer {
  private readonly handler: Handler;
  private readonly waitSeconds: number;
  private readonly logger: Logger;

  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    { handler = handle, waitSeconds = 20, logger = createLogger("consumer", "info") }: ConsumerOptions = {},
  ) {
    this.handler = handler;
    this.waitSeconds = waitSeconds;
    this.logger = logger;
  }

  /** One receive (waiting up to `waitSeconds` for messages), then each message handled. */
  async pollOnce(): Promise<Batch> {
    const response = await this.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.queueUrl,
        MaxNumberOfMessages: BATCH_SIZE,
        WaitTimeSeconds: this.waitSeconds,
        MessageSystemAttributeNames: ["ApproximateReceiveCount"],
      }),
    );
    let handled = 0;
    let failed = 0;
    for (const received of response.Messages ?? []) {
      const message = toMessage(received);
      try {
        await this.handler(message);
      } catch (error) {
        // Left on the queue: retried after the visibility timeout, then dead-lettered.
        this.logger.error(
          `message ${message.messageId} failed (receive ${message.receiveCount})`,
          error,
        );
        failed += 1;
        continue;
      }
      await this.sqs.send(
        new DeleteMessageCommand({ QueueUrl: this.queueUrl, ReceiptHandle: received.ReceiptHandle }),
      );
      handled += 1;
    }
    return { handled, failed };
  }

  /** Poll until `stop` is aborted; the batch in hand is finished first. */
  async run(stop: AbortSignal): Promise<void> {
    while (!stop.aborted) {
      try {
        await this.pollOnce();
      } catch (error) {
        this.logger.error(
          `receiving from ${this.queueUrl} failed; retrying in ${RETRY_MILLISECONDS / 1000} s`,
          error,
        );
        await pause(RETRY_MILLISECONDS, stop);
      }
    }
  }
}

/** Wait `milliseconds`, or less if `stop` is aborted meanwhile. */
function pause(milliseconds: number, stop: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, milliseconds);
    function done(): void {
      clearTimeout(timer);
      stop.removeEventListener("abort", done);
      resolve();
    }
    stop.addEventListener("abort", done, { once: true });
  });
}
