import { describe, expect, it } from "vitest";
import { EventParser } from "./sse";

describe("EventParser", () => {
  it("parses events split across chunks", () => {
    const parser = new EventParser();

    expect(parser.push('data: {"delta": "Hel')).toEqual([]);
    expect(parser.push('lo"}\n\ndata: {"delta": "!"}\n\nevent: done\ndata: {"fallback": true}\n\n')).toEqual([
      { event: "message", data: { delta: "Hello" } },
      { event: "message", data: { delta: "!" } },
      { event: "done", data: { fallback: true } },
    ]);
  });
});
