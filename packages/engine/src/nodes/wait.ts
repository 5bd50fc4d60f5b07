import { z } from 'zod';
import { Id, IsoDuration } from '../model/primitives.ts';
import { cancelTimersAction, enterAction, type NodeKind } from './kind.ts';

export const WaitNode = z.strictObject({
  id: Id,
  type: z.literal('wait'),
  duration: IsoDuration,
  next: Id,
  label: z.string().optional(),
});
export type WaitNode = z.infer<typeof WaitNode>;

const WaitPorts = z.object({ next: Id });

/** wait: holds the contact for a duration, then goes on to `next`. */
export const waitKind: NodeKind<WaitNode, z.infer<typeof WaitPorts>> = {
  type: 'wait',
  schema: WaitNode,
  waits: true,
  portFields: WaitPorts,
  ports: (n) => [{ name: 'next', path: ['next'], target: n.next }],
  toState: (n, ctx) => ({
    entry: [enterAction(n.id), { type: 'baton.schedule', params: { node: n.id, timer: 'wait', after: n.duration } }],
    exit: [cancelTimersAction(n.id)],
    on: { 'baton.timer.wait': { target: ctx.key(n.next) } },
  }),
  listens: () => false,
};
