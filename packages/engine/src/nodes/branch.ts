import { z } from 'zod';
import { Condition } from '../model/condition.ts';
import { Id } from '../model/primitives.ts';
import { enterAction, type NodeKind } from './kind.ts';

export const BranchNode = z.strictObject({
  id: Id,
  type: z.literal('branch'),
  paths: z
    .array(z.strictObject({ label: z.string(), when: Condition, next: Id }))
    .min(1, 'a branch needs at least one path'),
  otherwise: Id,
  label: z.string().optional(),
});
export type BranchNode = z.infer<typeof BranchNode>;

// A path's `next` is read even when its label or condition is malformed.
const BranchPorts = z.object({ paths: z.array(z.object({ next: Id })), otherwise: Id });

/** branch: on arrival the first path whose condition holds wins, else `otherwise`. */
export const branchKind: NodeKind<BranchNode, z.infer<typeof BranchPorts>> = {
  type: 'branch',
  schema: BranchNode,
  waits: false,
  portFields: BranchPorts,
  ports: (n) => [
    ...n.paths.map((p, i) => ({ name: `paths[${i}]`, path: ['paths', i, 'next'], target: p.next })),
    { name: 'otherwise', path: ['otherwise'], target: n.otherwise },
  ],
  toState: (n, ctx) => ({
    entry: [enterAction(n.id)],
    always: [
      ...n.paths.map((p, i) => ({
        guard: { type: 'baton.condition', params: { when: p.when } },
        target: ctx.key(p.next),
        actions: [{ type: 'baton.took', params: { node: n.id, path: i } }],
      })),
      { target: ctx.key(n.otherwise), actions: [{ type: 'baton.took', params: { node: n.id, path: -1 } }] },
    ],
  }),
  listens: () => false,
};
