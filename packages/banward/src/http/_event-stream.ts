import type { FastifyInstance } from 'fastify';
import type { DaemonControl } from '../control/index.js';
import { BanwardError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { SECURITY_HEADERS } from './_security-headers.js';

export interface EventStreamLimits {
  /** Event-stream clients served at once; one more gets 503. */
  maxClients: number;
  /** A client whose unsent output passes this many bytes is dropped (it reads slower than events come). */
  maxBufferedBytes: number;
  /** Milliseconds between `: keepalive` comments. */
  keepaliveMs: number;
}

export const DEFAULT_EVENT_STREAM_LIMITS: EventStreamLimits = Object.freeze({ maxClients: 32, maxBufferedBytes: 1 << 20, keepaliveMs: 15_000 });

/** GET /api/v1/events: the daemon's events as Server-Sent Events, one subscription per client. */
export function registerEventStream(app: FastifyInstance, control: DaemonControl, limits: EventStreamLimits, log: Logger): void {
  const clients = new Set<() => void>();
  app.addHook('preClose', (done) => {
    for (const close of [...clients]) close();
    done();
  });
  app.get('/api/v1/events', { config: { access: 'read' } }, (request, reply) => {
    if (clients.size >= limits.maxClients) {
      throw new BanwardError('BANWARD_ERR_HTTP_BUSY', `the server already streams events to ${limits.maxClients} clients`);
    }
    reply.hijack();
    const socket = reply.raw;
    socket.writeHead(200, { ...SECURITY_HEADERS, 'Cache-Control': 'no-store', 'Content-Type': 'text/event-stream; charset=utf-8', 'X-Accel-Buffering': 'no' });
    socket.write(': connected\n\n');
    const write = (text: string): void => {
      if (socket.writableLength > limits.maxBufferedBytes) {
        log.warn(`event-stream client ${request.ip ?? 'on the unix socket'} dropped: it reads slower than events come`);
        close();
        return;
      }
      socket.write(text);
    };
    const unsubscribe = control.subscribe((event) => write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`));
    const keepalive = setInterval(() => write(': keepalive\n\n'), limits.keepaliveMs);
    const close = (): void => {
      if (!clients.delete(close)) return;
      clearInterval(keepalive);
      unsubscribe();
      socket.destroy();
    };
    clients.add(close);
    request.raw.socket.once('close', close);
  });
}
