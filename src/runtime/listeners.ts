import type { EngineEvent } from '../core/index.js';

/** The onEvents() fan-out shared by every mode. A throwing listener is reported, never fatal. */
export class EventListeners {
  private readonly set = new Set<(events: readonly EngineEvent[]) => void>();

  constructor(private readonly log?: (line: string) => void) {}

  add(listener: (events: readonly EngineEvent[]) => void): () => void {
    this.set.add(listener);
    return () => this.set.delete(listener);
  }

  emit(events: readonly EngineEvent[]): void {
    if (events.length === 0) return;
    for (const listener of this.set) {
      try {
        listener(events);
      } catch (err) {
        this.log?.(`event listener failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
}
