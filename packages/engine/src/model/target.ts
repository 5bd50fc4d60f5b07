import { z } from 'zod';
import { Id } from './primitives.ts';

/** Where a handoff goes: a rep, the rep named in a contact field, or a queue (SPEC §5). */
export const RouteTarget = z.union(
  [
    z.strictObject({ rep: Id }),
    z.strictObject({
      owner: z.string().regex(/^contact(\.[A-Za-z0-9_$-]+)+$/, 'must be a contact field such as contact.ownerId'),
    }),
    z.strictObject({ queue: Id }),
  ],
  { error: 'must be { "rep": ID }, { "owner": "contact.FIELD" } or { "queue": ID }' },
);
export type RouteTarget = z.infer<typeof RouteTarget>;
