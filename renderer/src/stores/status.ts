/**
 * What the status bar shows beyond connectivity: the live offline risk budget, the printer
 * and scanner states, and a forwarding pause (the acquirer refuses the key, the clock is off).
 * Each comes from another module's events (risk:budget, devices:changed, forwarder:changed,
 * clock:changed);
 * until that module is in the contract, the bar says "not enabled" rather than guessing.
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { DeviceList } from '../../../core/api/devices';
import type { ForwarderStatus, RiskBudget } from '../../../core/api/offline';
import type { ClockStatus } from '../../../core/api/system';
import { listenIfPresent, sendIfPresent } from '../api/client';

export const useStatusStore = defineStore('status', () => {
  const budget = ref<RiskBudget | null>(null);
  const devices = ref<DeviceList | null>(null);
  const forwarder = ref<ForwarderStatus | null>(null);
  /** The clock the day counters trust (core/clock): shown when the PC clock jumped or is off. */
  const clock = ref<ClockStatus | null>(null);

  let started = false;
  async function load(): Promise<void> {
    if (!started) {
      started = true;
      listenIfPresent<RiskBudget>('risk:budget', (b) => (budget.value = b));
      listenIfPresent<DeviceList>('devices:changed', (d) => (devices.value = d));
      listenIfPresent<ForwarderStatus>('forwarder:changed', (f) => (forwarder.value = f));
      listenIfPresent<ClockStatus>('clock:changed', (c) => (clock.value = c));
    }
    await Promise.allSettled([
      sendIfPresent<RiskBudget>('offline:budget', {}).then((b) => (budget.value = b)),
      sendIfPresent<DeviceList>('devices:list', {}).then((d) => (devices.value = d)),
      sendIfPresent<{ forwarder: ForwarderStatus }>('outbox:list', { limit: 1 }).then((o) => (forwarder.value = o.forwarder)),
      sendIfPresent<ClockStatus>('clock:get', {}).then((c) => (clock.value = c)),
    ]);
  }

  /** The selected device of a kind, or null when none is selected or devices are not enabled. */
  function device(kind: 'printer' | 'scanner' | 'camera') {
    return devices.value?.devices.find((d) => d.kind === kind && d.selected) ?? null;
  }

  return { budget, devices, forwarder, clock, load, device };
});
