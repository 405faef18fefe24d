/** Fans the one event stream out to whichever screens are showing. */
import { useEffect, useRef } from 'preact/hooks';
import type { LiveEvent } from './api.js';

export class LiveEvents {
  private readonly listeners = new Set<(event: LiveEvent) => void>();

  subscribe(listener: (event: LiveEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: LiveEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

/** Calls the latest `handler` for every event while the component is mounted. */
export function useLiveEvents(live: LiveEvents, handler: (event: LiveEvent) => void): void {
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => live.subscribe((event) => latest.current(event)), [live]);
}
