// Server-sent events from `/api/ai-chat/stream`, parsed as they arrive (pure).

export interface StreamEvent {
  event: string;
  data: Record<string, unknown>;
}

export class EventParser {
  private buffer = "";

  push(chunk: string): StreamEvent[] {
    this.buffer += chunk;
    const events: StreamEvent[] = [];
    let end = this.buffer.indexOf("\n\n");
    while (end >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      let event = "message";
      let data = "";
      for (const line of block.split("\n")) {
        if (line.startsWith("event: ")) event = line.slice(7);
        else if (line.startsWith("data: ")) data += line.slice(6);
      }
      if (data) events.push({ event, data: JSON.parse(data) as Record<string, unknown> });
      end = this.buffer.indexOf("\n\n");
    }
    return events;
  }
}
