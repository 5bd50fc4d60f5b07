import type { z } from 'zod';
import type { EvalEnv } from '../conditions/env.ts';

/** One outgoing connection of a node: a port naming the node it leads to. */
export interface Port {
  /** The port's name as the designer shows it: next, otherwise, paths[0], outcomes.won, onExpire... */
  name: string;
  /** JSON path of the port inside the node. */
  path: (string | number)[];
  target: string;
}

/**
 * A node's reference to the team, which validation checks against it: a routing target (`{ rep }`,
 * `{ queue }` or `{ owner }`, as the node wrote it), or a rep id. `path` is inside the node.
 */
export type TeamRef = { path: PropertyKey[]; target: unknown } | { path: PropertyKey[]; rep: string };

/** JSON-serialisable XState state config for one node. */
export type StateConfig = Record<string, unknown>;

/** What the compiler offers a node while it builds its state. */
export interface CompileContext {
  /** The XState state key of a node id. */
  key(nodeId: string): string;
}

/**
 * A node type: its schema, its ports and how it compiles to an XState state. One file per type. `F` is the
 * part of the node that holds its ports (a node of type `N` is one).
 */
export interface NodeKind<N extends { id: string; type: string }, F = N> {
  type: N['type'];
  schema: z.ZodType<N>;
  /**
   * Reads only the fields that hold the ports, so that a node malformed elsewhere (a bad duration, a bad
   * condition on a branch path) still has its ports read and validation checks the graph around it.
   */
  portFields: z.ZodType<F>;
  ports(node: F): Port[];
  /**
   * The node's references to the team. Read from the raw node, field by field, so a node malformed
   * elsewhere still has them checked. Absent: the node names nobody.
   */
  teamRefs?(node: Record<string, unknown>): TeamRef[];
  /** Whether the contact waits here, so a cycle through this node is not an endless loop. */
  waits: boolean;
  toState(node: N, ctx: CompileContext): StateConfig;
  /**
   * Whether an incoming event can move a contact at this node. A cheap pre-check: when it says no, the
   * runtime skips the machine, which would not have transitioned either.
   */
  listens(node: N, eventName: string, env: EvalEnv): boolean;
}

/** The entry action every node state runs: it puts the node on the contact's path. */
export const enterAction = (node: string) => ({ type: 'baton.enter', params: { node } });
/** The exit action of waiting nodes: their timers are cancelled when the contact moves on. */
export const cancelTimersAction = (node: string) => ({ type: 'baton.cancelTimers', params: { node } });
