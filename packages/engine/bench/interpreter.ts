import { compileCondition, type EvalEnv, type Predicate } from '../src/internal.ts';
import { pickVariant } from '../src/compile/hash.ts';

type AnyNode = { id: string; type: string; [k: string]: unknown };

/**
 * The baseline a hand-written engine would be: a switch over node types on plain objects, no XState,
 * no validation, no store, no timers as rows. It runs the same journey with the same conditions.
 */
export class HandInterpreter {
  private readonly nodes = new Map<string, AnyNode>();
  private readonly predicates = new Map<object, Predicate>();
  constructor(private readonly journey: { id: string; start: string; nodes: AnyNode[] }) {
    for (const n of journey.nodes) this.nodes.set(n.id, n);
  }

  private holds(when: object, env: EvalEnv): boolean {
    let p = this.predicates.get(when);
    if (!p) this.predicates.set(when, (p = compileCondition(when as never)));
    return p(env);
  }

  /** Moves from `node` until the contact waits; returns the node it waits at (or null when it exited). */
  run(node: string | null, env: EvalEnv, traits: Record<string, unknown>): string | null {
    let id = node;
    while (id !== null) {
      const n = this.nodes.get(id)!;
      switch (n.type) {
        case 'branch': {
          const paths = n.paths as { when: object; next: string }[];
          id = paths.find((p) => this.holds(p.when, env))?.next ?? (n.otherwise as string);
          break;
        }
        case 'split':
          id = (n.variants as { next: string; weight: number }[])[
            pickVariant(
              this.journey.id,
              n.id,
              env.contactId,
              (n.variants as { weight: number }[]).map((v) => v.weight),
            )
          ]!.next;
          break;
        case 'action':
          if (n.action === 'update_contact') Object.assign(traits, (n.params as { traits: object }).traits);
          id = n.next as string;
          break;
        case 'exit':
          return null;
        default:
          return id; // wait, pause, handoff: the contact waits here
      }
    }
    return null;
  }

  /** Handles an event for a contact waiting at `node`. */
  onEvent(node: string | null, name: string, env: EvalEnv, traits: Record<string, unknown>): string | null {
    if (node === null) return null;
    const n = this.nodes.get(node)!;
    if (n.type !== 'pause') return node;
    const until = n.until as { event: string; where?: object };
    if (until.event !== name || (until.where && !this.holds(until.where, env))) return node;
    return this.run(n.next as string, env, traits);
  }
}
