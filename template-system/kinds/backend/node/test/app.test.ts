import assert from "node:assert/strict";
import { test } from "node:test";

import { buildApp } from "../src/app.js";
import { SERVICE_NAME, loadSettings } from "../src/settings.js";

test("GET /hello answers the services that use this one", async () => {
  const app = buildApp(loadSettings({}));

  const response = await app.inject({ method: "GET", url: "/hello" });

  assert.equal(response.statusCode, 200);
  assert.deepEqual(response.json(), { message: `Hello from ${SERVICE_NAME}`, service: SERVICE_NAME });
  await app.close();
});
