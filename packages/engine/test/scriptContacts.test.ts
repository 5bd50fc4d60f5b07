import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InputInvalidError, simulateScript } from '../src/internal.ts';

const read = (path: string) => JSON.parse(readFileSync(new URL(`../../../examples/${path}`, import.meta.url), 'utf8'));
const pricing = () => ({
  journeys: [read('pricing-intent/journey.json')],
  team: read('pricing-intent/team.json'),
  workspace: read('pricing-intent/workspace.json'),
});
const LONG = `crm:${'x'.repeat(252)}`; // 256 characters

describe('a script names contacts as Segment does (SPEC §2)', () => {
  it('takes emails, ids of up to 256 characters of any kind, and numbers as their decimal string', async () => {
    const ids = ['ana@example.com', 'with space/and\\slash é', LONG];
    const report = await simulateScript({
      ...pricing(),
      script: {
        start: '2026-11-20T08:00:00Z',
        until: '2026-11-22T00:00:00Z',
        contacts: [
          ...ids.map((id) => ({ id, traits: { company: 'Acme', employees: 900, title: 'VP Sales' } })),
          { id: 42, traits: { company: 'Initech', employees: 900, title: 'VP Sales' } },
        ],
        steps: [
          ...ids.map((userId) => ({
            at: '2026-11-20T10:00:00Z',
            track: { userId, event: 'Page Viewed', properties: { path: '/pricing' } },
          })),
          { at: '2026-11-20T10:00:00Z', track: { userId: 42, event: 'Page Viewed', properties: { path: '/pricing' } } },
          {
            at: '2026-11-20T11:00:00Z',
            accept: { userId: 'ana@example.com', journey: 'pricing-intent', node: 'handoff' },
          },
          { at: '2026-11-20T12:00:00Z', identify: { userId: 42, traits: { plan: 'pro' } } },
          { at: '2026-11-20T12:30:00Z', identify: { userId: 'ana@example.com' } }, // traits are optional, as in Segment
        ],
      },
    });
    expect(Object.keys(report.contacts).sort()).toEqual([...ids, '42'].sort());
    for (const id of [...ids, '42'])
      expect(report.contacts[id]!.journeys['pricing-intent']!.path.slice(0, 2)).toEqual(['fit', 'handoff']);
    expect(report.contacts['ana@example.com']!.journeys['pricing-intent']!.handoffs[0]!.acceptedAt).toBe(
      '2026-11-20T11:00:00Z',
    );
    expect(report.refused).toEqual([]);
  });

  it('refuses an empty id and one of 257 characters, naming where', async () => {
    const script = (id: unknown) => ({
      start: '2026-11-20T08:00:00Z',
      until: '2026-11-22T00:00:00Z',
      contacts: [{ id }],
      steps: [{ at: '2026-11-20T10:00:00Z', track: { userId: `${LONG}y`, event: 'Page Viewed' } }],
    });
    for (const [id, message] of [
      ['', 'must not be empty'],
      [`${LONG}y`, 'must be at most 256 characters'],
    ]) {
      const refused = await simulateScript({ ...pricing(), script: script(id) }).catch((err: unknown) => err);
      expect(refused).toBeInstanceOf(InputInvalidError);
      const errors = (refused as InputInvalidError).errors;
      expect(errors).toContainEqual(expect.objectContaining({ path: '$.contacts[0].id', message }));
      expect(errors).toContainEqual(
        expect.objectContaining({ path: '$.steps[0].track.userId', message: 'must be at most 256 characters' }),
      );
    }
  });
});
