import { z } from 'zod';
import { Id } from '../model/primitives.ts';
import { enterAction, type NodeKind } from './kind.ts';

export const ExitNode = z.strictObject({
  id: Id,
  type: z.literal('exit'),
  outcome: z.string().min(1, 'must name the outcome for reports'),
  label: z.string().optional(),
});
export type ExitNode = z.infer<typeof ExitNode>;

/** exit: ends the journey with an outcome label for reports. */
export const exitKind: NodeKind<ExitNode, object> = {
  type: 'exit',
  schema: ExitNode,
  waits: false,
  portFields: z.object({}),
  ports: () => [],
  toState: (n) => ({
    type: 'final',
    entry: [enterAction(n.id), { type: 'baton.exit', params: { node: n.id, outcome: n.outcome } }],
  }),
  listens: () => false,
};
