import { createConnection } from 'node:net';

/** A request of the daemon's protocol (docs/protocol.md), without its id. */
export interface DaemonRequest {
  command: string;
  args: string[];
  options?: Record<string, string | number | boolean>;
}

export interface DaemonResponse {
  ok: boolean;
  result?: unknown;
  error?: { code?: unknown; message?: unknown };
}

export interface Exchange {
  /** The responses, in request order; fewer than the requests when the connection failed first. */
  responses: DaemonResponse[];
  error: Error | null;
}

let nextId = 1;

/**
 * Writes the requests on one connection to the daemon's socket and collects the answers. Never rejects: a
 * missing socket, a refused or dropped connection or no answer within `timeoutMs` ends the exchange with
 * `error` set and the answers received so far.
 */
export function exchange(socketPath: string, requests: readonly DaemonRequest[], timeoutMs: number): Promise<Exchange> {
  return new Promise((resolve) => {
    const responses: DaemonResponse[] = [];
    let buffer = '';
    let done = false;
    const socket = createConnection(socketPath);
    const finish = (error: Error | null) => {
      if (done) return;
      done = true;
      socket.destroy();
      resolve({ responses, error });
    };
    socket.setTimeout(timeoutMs, () => finish(new Error(`no answer within ${timeoutMs} ms`)));
    socket.on('error', finish);
    socket.on('close', () => finish(responses.length < requests.length ? new Error('connection closed') : null));
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        if (line === '') continue;
        responses.push(parseResponse(line));
        if (responses.length === requests.length) finish(null);
      }
    });
    if (requests.length === 0) { finish(null); return; }
    socket.write(requests.map((r) => `${JSON.stringify({ id: nextId++, ...r })}\n`).join(''));
  });
}

function parseResponse(line: string): DaemonResponse {
  try {
    const value = JSON.parse(line) as DaemonResponse | null;
    if (typeof value === 'object' && value !== null) return value;
  } catch {
    // fall through: a line that is not a response counts as a refusal
  }
  return { ok: false, error: { code: 'BANWARD_WEB_BAD_RESPONSE', message: line.slice(0, 200) } };
}
