import { z } from 'zod';
import { Id, isObject, JsonObject } from '../model/primitives.ts';
import { enterAction, type NodeKind } from './kind.ts';

/** The actions an action node can take (SPEC §5). */
export const ACTIONS = ['email', 'sms', 'webhook', 'update_contact', 'notify'] as const;
export type ActionName = (typeof ACTIONS)[number];

const MessageParams = z.looseObject({
  template: z.string().optional(),
  whileHumanEngaged: z.enum(['send', 'suppress']).optional(),
});
const ParamsByAction: Record<ActionName, z.ZodType> = {
  email: MessageParams,
  sms: MessageParams,
  webhook: z.looseObject({ url: z.url({ protocol: /^https?$/, message: 'must be an http or https URL' }) }),
  update_contact: z.looseObject({ traits: JsonObject }),
  notify: z.looseObject({ to: z.string().min(1, 'must be a rep id or "owner"'), message: z.string().optional() }),
};

export const ActionNode = z
  .strictObject({
    id: Id,
    type: z.literal('action'),
    action: z.enum(ACTIONS),
    params: JsonObject.default({}),
    next: Id,
    label: z.string().optional(),
  })
  .superRefine((n, ctx) => {
    const result = ParamsByAction[n.action].safeParse(n.params);
    if (!result.success)
      for (const issue of result.error.issues)
        ctx.addIssue({ code: 'custom', message: issue.message, path: ['params', ...issue.path] });
  });
export type ActionNode = z.infer<typeof ActionNode>;

const ActionPorts = z.object({ next: Id });

/**
 * action: emits its action as an effect and goes on. update_contact is a step boundary: the runtime applies
 * the traits before `baton.continue` moves on, so the next branch sees them.
 */
export const actionKind: NodeKind<ActionNode, z.infer<typeof ActionPorts>> = {
  type: 'action',
  schema: ActionNode,
  waits: false,
  portFields: ActionPorts,
  // notify names a rep (or the contact's owner, resolved when it runs).
  teamRefs: (n) =>
    n.action === 'notify' &&
    isObject(n.params) &&
    typeof n.params.to === 'string' &&
    n.params.to !== 'owner' &&
    n.params.to !== ''
      ? [{ path: ['params', 'to'], rep: n.params.to }]
      : [],
  ports: (n) => [{ name: 'next', path: ['next'], target: n.next }],
  toState: (n, ctx) => {
    const entry = [
      enterAction(n.id),
      { type: 'baton.action', params: { node: n.id, action: n.action, params: n.params } },
    ];
    if (n.action === 'update_contact') return { entry, on: { 'baton.continue': { target: ctx.key(n.next) } } };
    return { entry, always: { target: ctx.key(n.next) } };
  },
  listens: () => false,
};
