/**
 * The customer display's state: the latest thing the checkout asked it to show, kept in memory
 * (a restart shows the idle screen, which is right: no sale survives a restart half-shown).
 */
import { IDLE_DISPLAY, type DisplayState } from '../api/display';
import type { EventBus } from '../events';

export class DisplayService {
  private state: DisplayState = IDLE_DISPLAY;
  constructor(private readonly bus: EventBus) {}

  get(): DisplayState {
    return this.state;
  }

  set(next: DisplayState): void {
    this.state = next;
    this.bus.emit('display:changed', next);
  }
}
