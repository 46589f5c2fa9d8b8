/** Contract handlers of the service-point domain: thin, the rules live in AgentService. */
import type { Handlers } from '../api/contract';
import type { DemoAgentAcquirer } from './acquirer';
import { AgentErrors } from './errors';
import type { AgentService } from './service';

type AgentHandlers = Pick<Handlers, Extract<keyof Handlers, `agent:${string}`>>;

export function agentHandlers(agent: AgentService): AgentHandlers {
  return {
    'agent:float': () => agent.float(),
    'agent:floatOpen': ({ countedFen, requestId }, ctx) => agent.floatOpen(countedFen, ctx.operator?.id ?? null, requestId),
    'agent:floatMove': ({ direction, amountFen, reason, requestId }, ctx) => agent.floatMove(direction, amountFen, reason, ctx.operator?.id ?? null, requestId),
    'agent:floatClose': ({ countedFen, requestId }, ctx) => agent.floatClose(countedFen, ctx.operator?.id ?? null, requestId),
    'agent:withdraw': (input, ctx) => agent.withdraw(input, ctx.operator?.id ?? null),
    'agent:withdrawal': ({ id }) => agent.withdrawal(id),
    'agent:billers': () => agent.billers(),
    'agent:billLookup': ({ billerId, account }) => agent.billLookup(billerId, account),
    'agent:billPay': (input, ctx) => agent.billPay(input, ctx.operator?.id ?? null),
    'agent:billsToReturn': () => agent.billsToReturn(),
    'agent:billReturn': ({ id, requestId }, ctx) => agent.billReturn(id, ctx.operator?.id ?? null, requestId),
    'agent:balance': ({ code }, ctx) => agent.balance(code, ctx.operator?.id ?? null),
    'agent:remit': (input, ctx) => agent.remit(input, ctx.operator?.id ?? null),
  };
}

/**
 * Demo mode's switch on the simulated biller (`demo:billerRefuse`); without a demo biller (live
 * mode) refused with `demo.only` before anything changes.
 */
export function agentDemoHandlers(demo: DemoAgentAcquirer | null): Pick<Handlers, 'demo:billerRefuse'> {
  return {
    'demo:billerRefuse': async ({ refuse }) => {
      if (!demo) throw AgentErrors.demoOnly();
      demo.refuseBills = refuse;
      return { ok: true as const };
    },
  };
}
