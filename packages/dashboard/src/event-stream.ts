/**
 * The live event stream: Server-Sent Events read with fetch() and a stream reader, because EventSource
 * cannot send the Authorization header. Reconnects with a doubling backoff until stopped.
 */
import { ApiError, type Api, type LiveEvent } from './api.js';

const FIRST_RETRY_MS = 1_000;
const LAST_RETRY_MS = 30_000;
/** A line longer than this is no event the daemon sends: the stream is dropped and reopened. */
const MAX_BUFFERED_CHARS = 1_000_000;

const EVENT_TYPES = new Set<unknown>(['found', 'ban', 'unban', 'action-error', 'reload', 'reload-refused']);

export type StreamState = 'connecting' | 'live' | 'retrying';

/** Splits an SSE byte stream's text into events; `push` takes chunks as they arrive. */
export class SseParser {
  private buffer = '';
  private type = '';
  private data: string[] = [];

  constructor(private readonly onEvent: (type: string, data: string) => void) {}

  push(chunk: string): void {
    this.buffer += chunk;
    for (let end = this.buffer.search(/\r\n|\r|\n/); end >= 0; end = this.buffer.search(/\r\n|\r|\n/)) {
      // A CR that ends the chunk may be the first half of a CRLF: wait for the next chunk to know.
      if (end === this.buffer.length - 1 && this.buffer.endsWith('\r')) break;
      const line = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + (this.buffer.startsWith('\r\n', end) ? 2 : 1));
      this.line(line);
    }
    if (this.buffer.length > MAX_BUFFERED_CHARS) throw new Error('event stream line too long');
  }

  private line(line: string): void {
    if (line === '') {
      if (this.data.length > 0) this.onEvent(this.type || 'message', this.data.join('\n'));
      this.type = '';
      this.data = [];
      return;
    }
    if (line.startsWith(':')) return; // a keepalive comment
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') this.type = value;
    else if (field === 'data') this.data.push(value);
  }
}

/** Opens the stream and keeps it open; returns the function that closes it for good. */
export function openEventStream(api: Api, onEvent: (event: LiveEvent) => void, onState: (state: StreamState) => void): () => void {
  const abort = new AbortController();
  let retryMs = FIRST_RETRY_MS;
  const run = async () => {
    while (!abort.signal.aborted) {
      onState('connecting');
      try {
        const response = await api.events(abort.signal);
        if (!response.body) throw new Error('no event stream body');
        onState('live');
        retryMs = FIRST_RETRY_MS;
        const parser = new SseParser((_type, data) => {
          const event = parseEvent(data);
          if (event) onEvent(event);
        });
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          parser.push(value);
        }
      } catch (error) {
        if (abort.signal.aborted || (error instanceof ApiError && error.status === 401)) return;
      }
      onState('retrying');
      await new Promise((resolve) => window.setTimeout(resolve, retryMs));
      retryMs = Math.min(retryMs * 2, LAST_RETRY_MS);
    }
  };
  void run();
  return () => abort.abort();
}

function parseEvent(data: string): LiveEvent | null {
  try {
    const event = JSON.parse(data) as LiveEvent;
    return typeof event === 'object' && event !== null && EVENT_TYPES.has(event.type) ? event : null;
  } catch {
    return null;
  }
}
