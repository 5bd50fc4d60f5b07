import fc from 'fast-check';
import { validateJourney } from '@baton/engine';
import type { DraftJourney } from '../src/model/index.ts';

const cond = fc.constantFrom(
  { field: 'contact.plan', op: 'eq', value: 'pro' },
  { field: 'score.fit', op: 'gte', value: 70 },
  { event: 'Page Viewed', within: 'P7D', op: 'gte', value: 2 },
);

/**
 * Valid journeys of every node type: node i's ports lead to later nodes (the first port to node i+1, so
 * every node is reachable), and the last nodes are exits.
 */
export const validJourney = fc
  .array(fc.constantFrom('wait', 'pause', 'branch', 'split', 'action', 'handoff'), { minLength: 0, maxLength: 8 })
  .chain((types) => {
    const n = types.length;
    const ids = [...types.map((t, i) => `${t}_${i}`), `exit_${n}`, `exit_${n + 1}`];
    const later = (i: number) => fc.integer({ min: i + 1, max: ids.length - 1 }).map((k) => ids[k]!);
    const nodes = types.map((type, i) => {
      const id = ids[i]!;
      const next = ids[i + 1]!;
      switch (type) {
        case 'wait':
          return fc.constant({ id, type, duration: 'P1D', next });
        case 'action':
          return fc
            .record({ label: fc.constantFrom('a', 'b') })
            .map(({ label }) => ({ id, type, action: 'email', params: { template: label }, next }));
        case 'pause':
          return later(i).map((t) => ({
            id,
            type,
            until: { event: 'Email Clicked' },
            timeout: 'P3D',
            next,
            onTimeout: t,
          }));
        case 'branch':
          return fc.tuple(fc.array(fc.tuple(cond, later(i)), { maxLength: 2 }), later(i)).map(([more, otherwise]) => ({
            id,
            type,
            paths: [
              { label: 'first', when: { field: 'contact.x', op: 'exists' }, next },
              ...more.map(([when, t], k) => ({ label: `p${k}`, when, next: t })),
            ],
            otherwise,
          }));
        case 'split':
          return later(i).map((t) => ({
            id,
            type,
            variants: [
              { label: 'A', weight: 1, next },
              { label: 'B', weight: 3, next: t },
            ],
          }));
        default:
          return fc.tuple(later(i), fc.boolean()).map(([t, expires]) => ({
            id,
            type,
            team: 'sales',
            record: 'lead',
            route: [{ to: { queue: 'q' } }],
            sla: { firstTouch: 'PT4H' },
            outcomes: { won: next, lost: t },
            ...(expires ? { expires: 'P7D', onExpire: t } : {}),
          }));
      }
    });
    return fc.tuple(...nodes, fc.boolean()).map((built) => {
      const flag = built.pop() as boolean;
      const all = [
        ...(built as DraftJourney['nodes']),
        { id: ids[n]!, type: 'exit', outcome: 'done' },
        { id: ids[n + 1]!, type: 'exit', outcome: 'other' },
      ];
      // The second exit must be reachable: point the trigger's start there when nothing leads to it.
      const journey: DraftJourney = {
        schema: 'baton.journey/v1',
        id: 'gen',
        name: 'Generated',
        trigger: { event: 'Signed Up' },
        start: ids[0]!,
        nodes: all,
        ...(flag ? { whileHumanEngaged: 'exit' } : {}),
      };
      return journey;
    });
  })
  .filter((j) => validateJourney(j).valid);

/**
 * A chain of `n` steps cycling through waits, actions and branches, ending in exits: valid and wide (every
 * branch's "otherwise" leads to one far exit). Step `s{n/2}` is labelled "Renewal reminder".
 */
export function chainJourney(id: string, n: number) {
  const nodes: Record<string, unknown>[] = [];
  for (let i = 0; i < n - 2; i++) {
    const next = `s${i + 1}`;
    const kind = i % 3;
    const label = i === Math.floor(n / 2) ? { label: 'Renewal reminder' } : {};
    if (kind === 0) nodes.push({ id: `s${i}`, type: 'wait', duration: 'P1D', next, ...label });
    else if (kind === 1)
      nodes.push({ id: `s${i}`, type: 'action', action: 'email', params: { template: `t${i}` }, next, ...label });
    else
      nodes.push({
        id: `s${i}`,
        type: 'branch',
        paths: [{ label: 'Pro', when: { field: 'contact.plan', op: 'eq', value: 'pro' }, next }],
        otherwise: 'done',
        ...label,
      });
  }
  nodes.push({ id: `s${n - 2}`, type: 'exit', outcome: 'finished' }, { id: 'done', type: 'exit', outcome: 'left' });
  return { schema: 'baton.journey/v1', id, name: `${n} steps`, trigger: { event: 'Signed Up' }, start: 's0', nodes };
}
