/**
 * The back end's event bus, typed by the contract's event map. Services emit; each shell
 * subscribes once and forwards every event to its windows or sockets. Payloads are validated
 * on emit so a service can never push a shape the UI was not promised.
 */
import { events, type EventPayload, type Events } from './api/contract';

export type EventListener = <K extends keyof Events>(name: K, payload: EventPayload<K>) => void;

export class EventBus {
  private readonly listeners = new Set<EventListener>();

  emit<K extends keyof Events>(name: K, payload: EventPayload<K>): void {
    const checked = events[name].parse(payload) as EventPayload<K>;
    for (const l of this.listeners) {
      try {
        l(name, checked);
      } catch {
        // A broken subscriber (a closed socket) must not stop the others or the emitter.
      }
    }
  }

  /** Subscribe to every event; returns the unsubscribe function. */
  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
