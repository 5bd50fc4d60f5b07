import { describe, expect, it } from 'vitest';
import { Workspace } from '../src/index.ts';

describe('workspace currency (an addition to SPEC)', () => {
  it('is optional, an ISO 4217 code; anything else is refused, named by its field', () => {
    expect(Workspace.parse({ scores: {} })).toEqual({ scores: {} });
    expect(Workspace.parse({ scores: {}, currency: 'EUR' })).toEqual({ scores: {}, currency: 'EUR' });
    for (const bad of ['eur', 'EURO', 'XXQ', 3]) {
      const issue = Workspace.safeParse({ scores: {}, currency: bad }).error?.issues[0];
      expect(issue?.path).toEqual(['currency']);
    }
    expect(Workspace.safeParse({ scores: {}, currency: 'eur' }).error?.issues[0]?.message).toMatch(/ISO 4217/);
  });
});
