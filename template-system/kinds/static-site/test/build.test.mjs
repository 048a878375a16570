import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";

import { PAGES, build } from "../build.mjs";

test("the build writes index.html and what it links to", async () => {
  const output = await mkdtemp(path.join(tmpdir(), "site-"));
  try {
    await build(output);
    const html = await readFile(path.join(output, "index.html"), "utf8");
    assert.match(html, /<title>.+<\/title>/);
    const stylesheet = html.match(/href="\/([^"]+\.css)"/)[1];
    assert.ok((await readFile(path.join(output, stylesheet), "utf8")).length > 0);
  } finally {
    await rm(output, { recursive: true, force: true });
  }
});

test("the build refuses to empty the site's own sources", async () => {
  await assert.rejects(build(PAGES), /would overwrite the site's sources/);
});
