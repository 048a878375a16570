/**
 * The worker process (`node dist/main.js`): consume QUEUE_URL until ECS stops the task
 * (SIGTERM), then finish the batch in hand and exit 0. Without QUEUE_URL it exits 2.
 */
import { Consumer } from "./consumer.js";
import { createLogger } from "./log.js";
import { loadSettings } from "./settings.js";
import { sqsClient } from "./sqs.js";

export const EXIT_OK = 0;
export const EXIT_NOT_CONFIGURED = 2;

async function main(): Promise<number> {
  const settings = loadSettings();
  const logger = createLogger("worker", settings.logLevel);
  if (!settings.queueUrl) {
    logger.error("QUEUE_URL is not set: there is no queue to consume");
    return EXIT_NOT_CONFIGURED;
  }
  const stop = new AbortController();
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      logger.info(`${signal}: finishing the current batch, then stopping`);
      stop.abort();
    });
  }
  const consumer = new Consumer(sqsClient(), settings.queueUrl, {
    waitSeconds: settings.receiveWaitSeconds,
    logger: createLogger("consumer", settings.logLevel),
  });
  logger.info(`${settings.appName} consuming ${settings.queueUrl}`);
  await consumer.run(stop.signal);
  logger.info(`${settings.appName} stopped`);
  return EXIT_OK;
}

process.exit(await main());
