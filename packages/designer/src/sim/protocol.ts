import type { HandoffRecordViewShape } from './shapes.ts';

/** What the designer asks the simulation worker. Everything runs on a virtual clock; nothing leaves it. */
export type SimRequest =
  | {
      type: 'start';
      journeys: unknown[];
      team: unknown;
      workspace: unknown;
      contact: { id: string; traits: Record<string, unknown> };
      start: string;
    }
  | { type: 'track'; event: string; properties: Record<string, unknown> }
  | { type: 'identify'; traits: Record<string, unknown> }
  | { type: 'advance'; ms: number }
  | { type: 'nextTimer' }
  | { type: 'rep'; action: 'accept' | 'reject' | 'outcome'; outcome?: string; reason?: string }
  | {
      type: 'population';
      journeys: unknown[];
      team: unknown;
      workspace: unknown;
      contacts: number;
      seed: number;
      days: number;
      /** The first instant of the run: the test contact's clock, so its days are the same days. */
      start: string;
      population: unknown;
    }
  | {
      type: 'backtest';
      journeys: unknown[];
      team: unknown;
      workspace: unknown;
      events: unknown[];
      reps: unknown;
      seed: number;
      start: string;
      /** The present: the replay stops there, as the live journey it is set beside has (SPEC §10). */
      until: string;
      contacts: { id: string; traits: Record<string, unknown> }[];
    };

/** The test contact as the designer shows it after each step. */
export interface TestContactState {
  now: string;
  nextDue: string | null;
  journey: { status: string; node: string | null; path: string[]; outcome: string | null } | null;
  handoffs: HandoffRecordViewShape[];
  timeline: { name: string; at: string; properties: Record<string, unknown> }[];
  messages: { node: string; action: string; at: string; suppressed: boolean }[];
}

/** A population run's result: per-node counts, the handoff load per rep per day, the projected breaches. */
export interface PopulationResult {
  nodes: Record<string, { entered: number }>;
  handoffs: { created: number; accepted: number; breached: number; unassigned: number };
  breachRate: number | null;
  perRepDay: { rep: string; day: string; handoffs: number; capacity: number | null }[];
  contacts: number;
  events: number;
  ms: number;
}

/** A backtest's result (issue #18): the draft over recorded events, in the terms the live report uses. */
export interface BacktestResult {
  nodes: Record<string, { entered: number }>;
  entries: number;
  handoffs: { created: number; accepted: number; breached: number; unassigned: number };
  outcomes: Record<string, number>;
  converted: number;
  perRepDay: PopulationResult['perRepDay'];
  events: number;
  ms: number;
}

export type SimResponse =
  | { type: 'contact'; state: TestContactState; refused?: string }
  | { type: 'progress'; done: number; total: number }
  | { type: 'population'; result: PopulationResult }
  | { type: 'backtest'; result: BacktestResult }
  | { type: 'error'; message: string };
