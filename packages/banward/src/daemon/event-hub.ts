import type { DaemonEvent } from '../control/index.js';
import type { JailEventSink } from '../jail/index.js';
import type { Logger } from '../log/logger.js';

export type EventListener = (event: DaemonEvent) => void;

/**
 * The daemon's events fanned out to its listeners (metrics, the HTTP event stream, `banward top`). A
 * listener that throws is logged and kept; jails see `active` false while nobody listens and build no events.
 */
export class EventHub implements JailEventSink {
  private readonly listeners = new Set<EventListener>();

  constructor(private readonly log: Logger) {}

  get active(): boolean {
    return this.listeners.size > 0;
  }

  /** Adds a listener; the function returned removes it. */
  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }

  emit(event: DaemonEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.log.error(`event listener failed on ${event.type}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}
