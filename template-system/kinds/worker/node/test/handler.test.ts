import assert from "node:assert/strict";
import { test } from "node:test";

import { InvalidMessage, handle, parse } from "../src/handler.js";

const message = (body: string) => ({ messageId: "m-1", body, receiveCount: 1 });

test("a message's body is a JSON object", () => {
  assert.deepEqual(parse(message('{"order": 42}')), { order: 42 });
});

test("a body that is not a JSON object cannot be handled", () => {
  assert.throws(() => parse(message("not json")), new InvalidMessage("message m-1: the body is not JSON"));
  assert.throws(() => parse(message("[1, 2]")), /the body is not a JSON object/);
});

test("handle resolves for a message it can handle and rejects one it cannot", async () => {
  await handle(message('{"order": 42}'));
  await assert.rejects(handle(message("not json")), InvalidMessage);
});
