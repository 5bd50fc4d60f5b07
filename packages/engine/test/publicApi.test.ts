import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as publicApi from '../src/index.ts';
import * as internal from '../src/internal.ts';

const SRC = new URL('../src/', import.meta.url);
const read = (file: string) => readFileSync(new URL(file, SRC), 'utf8');

/** Every name an entry exports, with the module it comes from: `export { a, type B } from './x.ts'`. */
function exportsOf(entry: string): { name: string; from: string }[] {
  const out: { name: string; from: string }[] = [];
  for (const m of read(entry).matchAll(/export (?:type )?\{([^}]*)\} from '\.\/([^']+)'/g)) {
    for (const part of m[1]!.split(',')) {
      const name = part
        .trim()
        .replace(/^type /, '')
        .split(' as ')[0]!
        .trim();
      if (name) out.push({ name, from: m[2]! });
    }
  }
  return out;
}

/** Whether a declaration of `name` in `source` has a JSDoc comment right before it. */
function documented(source: string, name: string): boolean {
  const declaration = new RegExp(
    `export (?:declare )?(?:abstract )?(?:async )?(?:const|let|function|class|interface|type|enum) ${name}\\b`,
    'g',
  );
  for (const m of source.matchAll(declaration)) {
    const before = source.slice(0, m.index).trimEnd();
    if (before.endsWith('*/') && before.lastIndexOf('/**') > before.lastIndexOf('*/', before.length - 3)) return true;
  }
  return false;
}

describe("the engine's public API", () => {
  const names = exportsOf('index.ts');

  it('starts from createEngine and stays small: the rest is @baton/engine/internal', () => {
    expect(names.map((n) => n.name)).toContain('createEngine');
    expect(names.length).toBeLessThan(100);
    // What only Baton's own packages use is not public.
    for (const internalOnly of [
      'Runtime',
      'stateKey',
      'seededRandom',
      'pickVariant',
      'stepContact',
      'own',
      'parseInput',
    ]) {
      expect(Object.keys(publicApi), internalOnly).not.toContain(internalOnly);
      expect(Object.keys(internal), internalOnly).toContain(internalOnly);
    }
  });

  it('is all inside the internal entry, value for value', () => {
    for (const [name, value] of Object.entries(publicApi))
      expect((internal as Record<string, unknown>)[name], name).toBe(value);
  });

  it('has a doc comment on every public name', () => {
    const undocumented = names
      .filter(({ name, from }) => !documented(read(from), name))
      .map(({ name, from }) => `${name} (${from})`);
    expect(undocumented).toEqual([]);
  });
});
