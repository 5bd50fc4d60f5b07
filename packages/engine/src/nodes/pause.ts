import { z } from 'zod';
import { predicateFor } from '../conditions/cache.ts';
import { EventCondition } from '../model/condition.ts';
import { Id, IsoDuration } from '../model/primitives.ts';
import { cancelTimersAction, enterAction, type NodeKind, type Port } from './kind.ts';

const EventName = z
  .string()
  .min(1, 'must be an event name')
  .refine((s) => !s.startsWith('baton.') && !s.startsWith('xstate.') && s !== '*' && !s.endsWith('.*'), {
    message: 'event names may not start with baton. or xstate. nor be a wildcard',
  });

export const PauseNode = z
  .strictObject({
    id: Id,
    type: z.literal('pause'),
    until: z.strictObject({ event: EventName, where: EventCondition.optional() }),
    timeout: IsoDuration.optional(),
    next: Id,
    onTimeout: Id.optional(),
    label: z.string().optional(),
  })
  .superRefine((n, ctx) => {
    if (n.timeout && !n.onTimeout)
      ctx.addIssue({ code: 'custom', path: ['onTimeout'], message: 'is required when a timeout is set' });
  });
export type PauseNode = z.infer<typeof PauseNode>;

const PausePorts = z.object({ next: Id, onTimeout: Id.optional() });

/** pause: waits for an event (optionally matching `where`), or goes to `onTimeout` after `timeout`. */
export const pauseKind: NodeKind<PauseNode, z.infer<typeof PausePorts>> = {
  type: 'pause',
  schema: PauseNode,
  waits: true,
  portFields: PausePorts,
  ports: (n) => {
    const ports: Port[] = [{ name: 'next', path: ['next'], target: n.next }];
    if (n.onTimeout !== undefined) ports.push({ name: 'onTimeout', path: ['onTimeout'], target: n.onTimeout });
    return ports;
  },
  toState: (n, ctx) => {
    const on: Record<string, unknown> = {
      [n.until.event]: n.until.where
        ? { guard: { type: 'baton.condition', params: { when: n.until.where } }, target: ctx.key(n.next) }
        : { target: ctx.key(n.next) },
    };
    const entry: unknown[] = [enterAction(n.id)];
    if (n.timeout && n.onTimeout) {
      entry.push({ type: 'baton.schedule', params: { node: n.id, timer: 'timeout', after: n.timeout } });
      on['baton.timer.timeout'] = { target: ctx.key(n.onTimeout) };
    }
    return { entry, exit: [cancelTimersAction(n.id)], on };
  },
  listens: (n, eventName, env) => n.until.event === eventName && (!n.until.where || predicateFor(n.until.where)(env)),
};
