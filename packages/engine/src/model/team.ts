import { IANAZone } from 'luxon';
import { z } from 'zod';
import { ownRecord } from './dictionary.ts';
import { Id } from './primitives.ts';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const ClockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'must be a time of day HH:MM');

/** Working hours in an IANA time zone, with holidays (SPEC §6). */
export const Calendar = z.strictObject({
  timezone: z
    .string()
    .refine((tz) => IANAZone.isValidZone(tz), { message: 'must be an IANA time zone such as Europe/Berlin' }),
  hours: z.partialRecord(
    z.enum(WEEKDAYS),
    z.tuple([ClockTime, ClockTime]).refine(([a, b]) => a < b, { message: 'must start before it ends' }),
  ),
  holidays: z.array(z.iso.date({ message: 'must be a date YYYY-MM-DD' })).default([]),
});
export type Calendar = z.infer<typeof Calendar>;

/** A human who receives handoffs. */
export const Rep = z.strictObject({
  id: Id,
  /** Shown to people; the id stands in where it is absent (SPEC §6 lists it without requiring it). */
  name: z.string().min(1).optional(),
  email: z.string().optional(),
  team: z.enum(['sales', 'service']).optional(),
  calendar: Id.optional(),
  capacity: z.number().int().nonnegative().optional(),
  weight: z.number().int().positive().default(1),
  active: z.boolean().default(true),
});
export type Rep = z.infer<typeof Rep>;

export const QUEUE_STRATEGIES = ['round_robin', 'weighted', 'least_loaded'] as const;

/** A queue of reps that assigns by a strategy. */
export const Queue = z.strictObject({
  id: Id,
  name: z.string().optional(),
  members: z.array(Id),
  strategy: z.enum(QUEUE_STRATEGIES).default('round_robin'),
  respectHours: z.boolean().default(false),
});
export type Queue = z.infer<typeof Queue>;

/** Reps, queues and calendars (SPEC §6), with every cross-reference checked. */
export const Team = z
  .strictObject({
    calendars: ownRecord(Id, Calendar).default({}),
    reps: z.array(Rep).default([]),
    queues: z.array(Queue).default([]),
  })
  .superRefine((team, ctx) => {
    const reps = new Set<string>();
    team.reps.forEach((rep, i) => {
      if (reps.has(rep.id))
        ctx.addIssue({ code: 'custom', path: ['reps', i, 'id'], message: `rep id "${rep.id}" is used twice` });
      reps.add(rep.id);
      if (rep.calendar !== undefined && !Object.hasOwn(team.calendars, rep.calendar)) {
        ctx.addIssue({ code: 'custom', path: ['reps', i, 'calendar'], message: `unknown calendar "${rep.calendar}"` });
      }
    });
    const queues = new Set<string>();
    team.queues.forEach((queue, i) => {
      if (queues.has(queue.id))
        ctx.addIssue({ code: 'custom', path: ['queues', i, 'id'], message: `queue id "${queue.id}" is used twice` });
      queues.add(queue.id);
      queue.members.forEach((m, j) => {
        if (!reps.has(m))
          ctx.addIssue({ code: 'custom', path: ['queues', i, 'members', j], message: `unknown rep "${m}"` });
      });
    });
  });
export type Team = z.infer<typeof Team>;
