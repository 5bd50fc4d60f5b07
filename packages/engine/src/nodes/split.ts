import { z } from 'zod';
import { Id } from '../model/primitives.ts';
import { enterAction, type NodeKind } from './kind.ts';

export const SplitNode = z.strictObject({
  id: Id,
  type: z.literal('split'),
  variants: z
    .array(
      z.strictObject({
        label: z.string(),
        weight: z.number().int('must be a whole number').positive('must be positive'),
        next: Id,
      }),
    )
    .min(1, 'a split needs at least one variant'),
  label: z.string().optional(),
});
export type SplitNode = z.infer<typeof SplitNode>;

// A variant's `next` is read even when its label or weight is malformed.
const SplitPorts = z.object({ variants: z.array(z.object({ next: Id })) });

/** split: a stable hash of journey, node and contact picks a variant, in proportion to the weights. */
export const splitKind: NodeKind<SplitNode, z.infer<typeof SplitPorts>> = {
  type: 'split',
  schema: SplitNode,
  waits: false,
  portFields: SplitPorts,
  ports: (n) => n.variants.map((v, i) => ({ name: `variants[${i}]`, path: ['variants', i, 'next'], target: v.next })),
  toState: (n, ctx) => {
    const weights = n.variants.map((v) => v.weight);
    return {
      entry: [enterAction(n.id)],
      always: n.variants.map((v, i) => ({
        guard: { type: 'baton.variant', params: { node: n.id, weights, index: i } },
        target: ctx.key(v.next),
      })),
    };
  },
  listens: () => false,
};
