import { z } from 'zod';
import { Condition } from '../model/condition.ts';
import { ownRecord } from '../model/dictionary.ts';
import { Id, IsoDuration, isObject } from '../model/primitives.ts';
import { RouteTarget } from '../model/target.ts';
import { Template } from '../model/template.ts';
import { cancelTimersAction, enterAction, type NodeKind, type Port } from './kind.ts';

export const RECORD_KINDS = ['lead', 'opportunity', 'task', 'case', 'ticket'] as const;
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;

export const HandoffNode = z
  .strictObject({
    id: Id,
    type: z.literal('handoff'),
    team: z.enum(['sales', 'service']),
    record: z.enum(RECORD_KINDS),
    title: Template.optional(),
    priority: z.enum(PRIORITIES).default('normal'),
    route: z.array(z.strictObject({ when: Condition.optional(), to: RouteTarget })).default([]),
    fallback: RouteTarget.optional(),
    sla: z.strictObject({ firstTouch: IsoDuration, escalate: RouteTarget.optional() }).optional(),
    context: z
      .strictObject({
        timeline: IsoDuration.optional(),
        talkTrack: z.string().optional(),
        nextBestActions: z.array(z.string()).optional(),
      })
      .optional(),
    expires: IsoDuration.optional(),
    outcomes: ownRecord(Id, Id).refine((o) => Object.keys(o).length > 0, {
      message: 'a handoff needs at least one outcome a human can log',
    }),
    onExpire: Id.optional(),
    label: z.string().optional(),
  })
  .superRefine((n, ctx) => {
    if (n.expires && !n.onExpire)
      ctx.addIssue({ code: 'custom', path: ['onExpire'], message: 'is required when expires is set' });
    if (n.route.length === 0 && !n.fallback)
      ctx.addIssue({ code: 'custom', path: ['route'], message: 'needs at least one rule or a fallback' });
  });
export type HandoffNode = z.infer<typeof HandoffNode>;

const HandoffPorts = z.object({ outcomes: ownRecord(Id, Id), onExpire: Id.optional() });

/**
 * handoff: creates a record for a human, routes it, and waits for the outcome the human logs
 * (or `onExpire` after `expires`). Routing and SLA happen in the runtime, outside the machine.
 */
export const handoffKind: NodeKind<HandoffNode, z.infer<typeof HandoffPorts>> = {
  type: 'handoff',
  schema: HandoffNode,
  waits: true,
  portFields: HandoffPorts,
  teamRefs: (n) => [
    ...(Array.isArray(n.route)
      ? n.route.flatMap((rule: unknown, r) => (isObject(rule) ? [{ path: ['route', r, 'to'], target: rule.to }] : []))
      : []),
    { path: ['fallback'], target: n.fallback },
    ...(isObject(n.sla) ? [{ path: ['sla', 'escalate'], target: n.sla.escalate }] : []),
  ],
  ports: (n) => {
    const ports: Port[] = Object.entries(n.outcomes).map(([o, target]) => ({
      name: `outcomes.${o}`,
      path: ['outcomes', o],
      target,
    }));
    if (n.onExpire !== undefined) ports.push({ name: 'onExpire', path: ['onExpire'], target: n.onExpire });
    return ports;
  },
  toState: (n, ctx) => {
    const entry: unknown[] = [enterAction(n.id), { type: 'baton.handoff', params: { node: n.id } }];
    const on: Record<string, unknown> = {
      'baton.outcome': Object.entries(n.outcomes).map(([outcome, target]) => ({
        guard: { type: 'baton.outcomeIs', params: { outcome } },
        target: ctx.key(target),
      })),
    };
    if (n.expires && n.onExpire) {
      entry.push({ type: 'baton.schedule', params: { node: n.id, timer: 'expire', after: n.expires } });
      on['baton.timer.expire'] = {
        target: ctx.key(n.onExpire),
        actions: [{ type: 'baton.expireHandoff', params: { node: n.id } }],
      };
    }
    return { entry, exit: [cancelTimersAction(n.id)], on };
  },
  listens: () => false,
};
