/**
 * The typed contract between the UI and the back end: every call the UI can make and every
 * event it can receive. Each domain declares its own map (session.ts, system.ts, payments.ts …);
 * this file merges them. Both shells (Electron IPC and the browser shell's WebSocket) dispatch
 * through core/api/dispatcher.ts, so validation and access rules are the same in both.
 *
 * To add a method: declare it in its domain file, add its name to names.ts (the preload uses
 * that list without pulling zod into the sandboxed preload), and add a handler in the
 * composition root. The type checks below fail the build if names.ts and the maps disagree.
 */
import type { z } from 'zod';
import type { Role } from './define';
import { sessionEvents, sessionMethods } from './session';
import { systemEvents, systemMethods } from './system';
import { paymentEvents, paymentMethods } from './payments';
import { paymentDemoMethods } from './demo';
import { agentDemoMethods, agentEvents, agentMethods } from './agent';
import { displayEvents, displayMethods } from './display';
import { offlineEvents, offlineMethods } from './offline';
import { offlineDemoMethods } from './offline-demo';
import { trainingEvents, trainingMethods } from './training';
import { deviceEvents, deviceMethods } from './devices';
import { faceMethods } from './face';
import { receiptMethods } from './receipts';
import { settingsEvents, settingsMethods } from './settings';
import { reportMethods } from './reports';
import { acquirerEvents, acquirerMethods } from './acquirer';
import { amlEvents, amlMethods } from './aml';
import { reconcileEvents, reconcileMethods } from './reconcile';
import { operatorMethods } from './operators';
import { opsEvents, opsMethods } from './ops';
import { ledgerMethods } from './ledger';
import { mirrorEvents, mirrorMethods } from './mirror';
import type { EventName, MethodName } from './names';

export const methods = {
  ...sessionMethods,
  ...systemMethods,
  ...paymentMethods,
  ...paymentDemoMethods,
  ...agentMethods,
  ...agentDemoMethods,
  ...displayMethods,
  ...offlineMethods,
  ...offlineDemoMethods,
  ...trainingMethods,
  ...deviceMethods,
  ...receiptMethods,
  ...faceMethods,
  ...settingsMethods,
  ...reportMethods,
  ...acquirerMethods,
  ...amlMethods,
  ...reconcileMethods,
  ...operatorMethods,
  ...opsMethods,
  ...ledgerMethods,
  ...mirrorMethods,
} as const;

export const events = {
  ...sessionEvents,
  ...systemEvents,
  ...paymentEvents,
  ...agentEvents,
  ...displayEvents,
  ...offlineEvents,
  ...trainingEvents,
  ...deviceEvents,
  ...settingsEvents,
  ...amlEvents,
  ...reconcileEvents,
  ...opsEvents,
  ...mirrorEvents,
  ...acquirerEvents,
} as const;

export type Methods = typeof methods;
export type Events = typeof events;

/** Input as the caller writes it. */
export type Input<K extends keyof Methods> = z.input<Methods[K]['input']>;
/** Output as the caller receives it. */
export type Output<K extends keyof Methods> = z.output<Methods[K]['output']>;
export type EventPayload<K extends keyof Events> = z.output<Events[K]>;

/** What a handler knows about its caller. */
export interface CallContext {
  operator: { id: string; name: string; role: Role } | null;
}

/** The service side: one async function per method, receiving parsed input. */
export type Handlers = {
  [K in keyof Methods]: (input: z.output<Methods[K]['input']>, ctx: CallContext) => Promise<z.input<Methods[K]['output']>>;
};

// Compile-time: names.ts lists exactly the contract's methods and events.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const methodNamesMatch: Same<MethodName, keyof Methods> = true;
const eventNamesMatch: Same<EventName, keyof Events> = true;
void methodNamesMatch;
void eventNamesMatch;
