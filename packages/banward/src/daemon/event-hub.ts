import type { DaemonEvent } from '../control/index.js';
import type { JailEventSink } from '../jail/index.js';
import type { Logger } from '../log/logger.js';

export type EventListener = (event: DaemonEvent) => void;

/**
 * The daemon's events fanned out to its listeners (metrics, the HTTP event stream, `banward top`). A
 * listener that throws is logged and kept. `found` events (one per failure) are built and sent only
 * while a listener wants them.
 */
export class EventHub implements JailEventSink {
  private readonly listeners = new Map<EventListener, { found: boolean }>();
  private foundListeners = 0;

  constructor(private readonly log: Logger) {}

  get wantsFound(): boolean {
    return this.foundListeners > 0;
  }

  /** Adds a listener (without `found` events when `found` is false); the function returned removes it. */
  subscribe(listener: EventListener, options: { found?: boolean } = {}): () => void {
    if (this.listeners.has(listener)) return () => undefined;
    const found = options.found ?? true;
    this.listeners.set(listener, { found });
    if (found) this.foundListeners++;
    return () => {
      if (!this.listeners.delete(listener)) return;
      if (found) this.foundListeners--;
    };
  }

  emit(event: DaemonEvent): void {
    for (const [listener, wants] of this.listeners) {
      if (event.type === 'found' && !wants.found) continue;
      try {
        listener(event);
      } catch (error) {
        this.log.error(`event listener failed on ${event.type}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}
