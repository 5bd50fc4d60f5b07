import { memo, useContext } from 'react';
import { StepMenuContext } from './StepMenu.tsx';
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { nodeWidth, portSlots, type DraftJourney, type DraftNode } from '../model/index.ts';
import { NODE_TYPE_DEFS, nodeTypeDef } from '../nodeTypes/index.ts';

/** What a canvas node carries besides the journey node: its problems and the counts of a report. */
export interface NodeView {
  node?: DraftNode;
  trigger?: DraftJourney['trigger'];
  problems: string[];
  readOnly: boolean;
  /** Simulation: the test contact is here, or has been, or this many contacts of a population entered. */
  sim?: { current: boolean; visited: boolean; count: number | null; detail?: string; converted?: number };
}

const simClass = (sim: NodeView['sim']) => (sim?.current ? ' sim-current' : sim?.visited ? ' sim-visited' : '');

function SimBadge({ sim }: { sim: NodeView['sim'] }) {
  if (!sim || sim.count === null) return null;
  const { count, converted } = sim;
  return (
    <>
      <div className="sim-count" data-testid="sim-count" title={sim.detail}>
        {count.toLocaleString()}
      </div>
      {/* Live numbers: the share of those who came through the step that converted (a branch path's
          conversion on its first step). */}
      {converted !== undefined && count > 0 && (
        <div
          className="sim-converted"
          data-testid="sim-converted"
          title={`${converted.toLocaleString()} of ${count.toLocaleString()} converted`}
        >
          ✓ {Math.round((converted / count) * 100)}%
        </div>
      )}
    </>
  );
}

function Problems({ problems }: { problems: string[] }) {
  if (problems.length === 0) return null;
  return (
    <div className="node-problems" title={problems.join('\n')}>
      ⚠ {problems.length} problem{problems.length > 1 ? 's' : ''}
    </div>
  );
}

/** The "+" of a port: opens the step menu to put a step after it (in place, when it is connected). */
function PortAdd({ source, handle, label }: { source: string; handle: string; label: string }) {
  const menu = useContext(StepMenuContext);
  if (!menu) return null;
  return (
    <button
      type="button"
      className="port-add nodrag"
      aria-label={`add a step after ${source} ${label}`}
      title="Add a step after this port"
      data-testid={`add-${source}-${handle}`}
      onClick={(e) => menu.open({ source, handle }, e.currentTarget.getBoundingClientRect())}
    >
      +
    </button>
  );
}

/** A journey node: its kind, id, what it does, its problems, and one handle per port. */
export const JourneyNodeCard = memo(function JourneyNodeCard({ data, selected }: NodeProps) {
  const view = data as unknown as NodeView;
  const node = view.node!;
  const slots = portSlots(node);
  const def = nodeTypeDef(node.type);
  return (
    <div
      className={`node-card type-${node.type}${selected ? ' selected' : ''}${view.problems.length ? ' invalid' : ''}${simClass(view.sim)}`}
      style={{ width: nodeWidth(node) }}
      data-testid={`node-${node.id}`}
    >
      <Handle type="target" position={Position.Top} className="handle-in" data-testid={`in-${node.id}`} />
      <SimBadge sim={view.sim} />
      <div className="node-head">
        <span className="node-dot" />
        <span className="node-kind">{def?.palette.title ?? node.type}</span>
        <span className="node-id">{node.id}</span>
      </div>
      {typeof node.label === 'string' && node.label && <div className="node-title">{node.label}</div>}
      {(def?.summary(node) ?? []).map((line, i) => (
        <div key={i} className="node-line">
          {line}
        </div>
      ))}
      <Problems problems={view.problems} />
      {slots.length > 0 && (
        <div className="node-ports">
          {slots.map((s) => (
            <div key={s.handle} className={`port${s.target ? ' connected' : ''}`} title={s.label}>
              <span>{s.label}</span>
              {!view.readOnly && <PortAdd source={node.id} handle={s.handle} label={s.label} />}
              <Handle
                type="source"
                id={s.handle}
                position={Position.Bottom}
                className="handle-out"
                data-testid={`handle-${node.id}-${s.handle}`}
                isConnectable={!view.readOnly}
              />
            </div>
          ))}
        </div>
      )}
    </div>
  );
});

/** The entry: the trigger event (and its condition). */
export const TriggerCard = memo(function TriggerCard({ data, selected }: NodeProps) {
  const view = data as unknown as NodeView;
  return (
    <div
      className={`node-card type-trigger${selected ? ' selected' : ''}${view.problems.length ? ' invalid' : ''}${simClass(view.sim)}`}
      data-testid="node-$trigger"
    >
      <div className="node-head">
        <span className="node-dot" />
        <span className="node-kind">Entry</span>
      </div>
      <div className="node-line">
        when {view.trigger?.event || '?'}
        {view.trigger?.when ? ' (with a condition)' : ''}
      </div>
      <Problems problems={view.problems} />
      <div className="node-ports">
        <div className="port">
          <span>start</span>
          {!view.readOnly && <PortAdd source="$trigger" handle="start" label="start" />}
          <Handle
            type="source"
            id="start"
            position={Position.Bottom}
            className="handle-out"
            data-testid="handle-$trigger-start"
            isConnectable={!view.readOnly}
          />
        </div>
      </div>
    </div>
  );
});

/** The canvas's node components: the entry, and one card for every node type of the registry. */
export const NODE_TYPES = {
  trigger: TriggerCard,
  ...Object.fromEntries(NODE_TYPE_DEFS.map((d) => [d.type, JourneyNodeCard])),
};
