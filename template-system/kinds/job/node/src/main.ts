/**
 * The container's command, `node dist/main.js`: run the job once and exit with its status
 * (exiting at once, even if work abandoned at the timeout is still pending).
 */
import { main } from "./job.js";

process.exit(await main());
