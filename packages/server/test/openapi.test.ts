import { describe, expect, it } from 'vitest';
import { json, testServer } from './harness.ts';

describe('the API reference', () => {
  it('documents exactly the routes the app serves, with request schemas from the validating zod schemas', async () => {
    const server = await testServer();
    const doc = await json<{
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    }>(server.app.request('/api/openapi.json'));
    expect(doc.openapi).toBe('3.1.0');
    const documented = Object.entries(doc.paths)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    const served = [
      ...new Set(
        server.app.routes
          .filter(
            (r) =>
              r.method !== 'ALL' &&
              (r.path.startsWith('/v1') ||
                ['/healthz', '/readyz', '/metrics'].includes(r.path) ||
                (r.path.startsWith('/api/') && !['/api/openapi.json', '/api/reference'].includes(r.path))),
          )
          .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}').replace(/\/$/, '')}`),
      ),
    ].sort();
    expect(documented).toEqual(served);
    expect(Object.keys(doc.components.schemas.Journey!.properties!)).toEqual(
      expect.arrayContaining(['id', 'trigger', 'nodes', 'start']),
    );
    const page = await (await server.app.request('/api/reference')).text();
    expect(page).toContain('/api/handoffs/{id}/outcome');
    expect(page).toContain('<details id="schema-Journey">');
    await server.close();
  });
});
