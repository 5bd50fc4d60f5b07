import { describe, expect, it } from 'vitest';
import { CliError, storageOf, type CliIO } from '../src/cli/io.ts';
import { DEFAULT_HEAP_GROWTH, operatingOptions } from '../src/cli/operating.ts';

const growth = (values: Record<string, unknown>, env: NodeJS.ProcessEnv = {}, execArgv: string[] = []) =>
  operatingOptions(values, env, execArgv).heapGrowthPercent;

describe('baton serve --heap-growth', () => {
  it('bounds the heap growth by default, from the flag, else BATON_HEAP_GROWTH; 0 leaves it to V8', () => {
    expect(growth({})).toBe(DEFAULT_HEAP_GROWTH);
    expect(growth({ 'heap-growth': '25' }, { BATON_HEAP_GROWTH: '60' })).toBe(25);
    expect(growth({}, { BATON_HEAP_GROWTH: '60' })).toBe(60);
    expect(growth({ 'heap-growth': '0' })).toBeUndefined();
  });

  it('leaves it to node when node was given its own --heap-growing-percent', () => {
    expect(growth({}, { NODE_OPTIONS: '--max-old-space-size=512 --heap-growing-percent=80' })).toBeUndefined();
    expect(growth({ 'heap-growth': '25' }, {}, ['--heap_growing_percent=80'])).toBeUndefined();
    expect(growth({}, { NODE_OPTIONS: '--heap-growing-percentage' })).toBe(DEFAULT_HEAP_GROWTH);
  });

  it('is misuse (exit 2) naming the flag for anything but a whole percent', () => {
    for (const bad of ['abc', '-5', '12.5', '1001', '__proto__']) {
      let caught: unknown;
      try {
        growth({ 'heap-growth': bad });
      } catch (err) {
        caught = err;
      }
      expect(caught, bad).toBeInstanceOf(CliError);
      expect((caught as CliError).exitCode).toBe(2);
      expect((caught as Error).message).toContain('--heap-growth (BATON_HEAP_GROWTH)');
      expect((caught as Error).message).toContain(JSON.stringify(bad));
    }
  });
});

describe('baton serve --simulation-slots', () => {
  const slots = (values: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) =>
    operatingOptions(values, env, []).simulationSlots;

  it("leaves it to the machine's cores by default; the flag, else BATON_SIMULATION_SLOTS, sets it", () => {
    expect(slots({})).toBeUndefined();
    expect(slots({ 'simulation-slots': '2' }, { BATON_SIMULATION_SLOTS: '4' })).toBe(2);
    expect(slots({}, { BATON_SIMULATION_SLOTS: '4' })).toBe(4);
  });

  it('is misuse (exit 2) naming the flag for anything but 1 to 64', () => {
    for (const bad of ['0', '65', '1.5', 'two', '__proto__']) {
      let caught: unknown;
      try {
        slots({ 'simulation-slots': bad });
      } catch (err) {
        caught = err;
      }
      expect(caught, bad).toBeInstanceOf(CliError);
      expect((caught as CliError).exitCode).toBe(2);
      expect((caught as Error).message).toContain('--simulation-slots (BATON_SIMULATION_SLOTS)');
      expect((caught as Error).message).toContain(JSON.stringify(bad));
    }
  });
});

describe('BATON_HISTORY_CACHE_EVENTS (baton serve --database)', () => {
  const io = { cwd: '/tmp' } as CliIO;
  const storage = (env: NodeJS.ProcessEnv) => storageOf(io, { database: 'postgres://db/baton' }, env);

  it('sets the past events a PostgreSQL process keeps, 0 for none; left out, the store keeps its default', () => {
    expect(storage({})).toEqual({ database: 'postgres://db/baton' });
    expect(storage({ BATON_HISTORY_CACHE_EVENTS: '' })).toEqual({ database: 'postgres://db/baton' });
    expect(storage({ BATON_HISTORY_CACHE_EVENTS: '0' })).toEqual({
      database: 'postgres://db/baton',
      historyCacheEvents: 0,
    });
    expect(storage({ BATON_HISTORY_CACHE_EVENTS: '200000' })).toMatchObject({ historyCacheEvents: 200_000 });
  });

  it('is misuse (exit 2) naming the variable for anything but a whole number up to 100,000,000', () => {
    for (const bad of ['abc', '-5', '12.5', '1e6', '100000001', ' 5', '__proto__']) {
      let caught: unknown;
      try {
        storage({ BATON_HISTORY_CACHE_EVENTS: bad });
      } catch (err) {
        caught = err;
      }
      expect(caught, bad).toBeInstanceOf(CliError);
      expect((caught as CliError).exitCode, bad).toBe(2);
      expect((caught as CliError).message, bad).toMatch(/BATON_HISTORY_CACHE_EVENTS .* got/);
    }
  });
});

describe('where baton keeps its data', () => {
  const io = { cwd: '/srv' } as CliIO;
  it('takes --data over BATON_DATABASE_URL, and refuses --data with --database (exit 2)', () => {
    const env = { BATON_DATABASE_URL: 'postgres://db/baton' };
    expect(storageOf(io, {}, env)).toEqual({ database: 'postgres://db/baton' });
    expect(storageOf(io, { data: './backup' }, env)).toEqual({ data: '/srv/backup' });
    expect(storageOf(io, {}, {})).toEqual({ data: '/srv/data' });
    expect(() => storageOf(io, { data: './backup', database: 'postgres://db/other' }, env)).toThrow(
      /give --data \(lowdb\) or --database \(PostgreSQL\), not both/,
    );
  });
});
