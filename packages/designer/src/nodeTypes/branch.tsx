import { ConditionEditor } from '../editor/ConditionEditor.tsx';
import { TextInput } from '../editor/fields.tsx';
import { ListEditor } from '../editor/widgets.tsx';
import { isRecord, type DraftNode } from '../model/draft.ts';
import { portSlot, str } from '../model/slots.ts';
import type { NodeTypeDef } from './nodeType.ts';

const pathsOf = (node: DraftNode) => (Array.isArray(node.paths) ? node.paths : []) as unknown[];

/** branch: the first path whose condition holds, else `otherwise` (the last port). */
export const branchType: NodeTypeDef = {
  type: 'branch',
  palette: { title: 'Branch', hint: 'Paths by conditions on traits, scores and events' },
  template: ({ id }) => ({
    id,
    type: 'branch',
    paths: [{ label: 'Good fit', when: { field: 'contact.employees', op: 'gte', value: 200 } }],
  }),
  ports: (node) => [
    ...pathsOf(node).map((p, i) =>
      portSlot(node, `paths.${i}`, isRecord(p) && typeof p.label === 'string' && p.label ? p.label : `path ${i + 1}`, [
        'paths',
        i,
        'next',
      ]),
    ),
    portSlot(node, 'otherwise', 'otherwise', ['otherwise']),
  ],
  summary: (node) => [`${pathsOf(node).length} path(s) + otherwise`],
  Form: ({ node, set, fields, disabled }) => (
    <>
      <h4>Paths</h4>
      <p className="muted small">The first path whose condition holds is taken; otherwise the last port.</p>
      <ListEditor
        items={pathsOf(node) as Record<string, unknown>[]}
        disabled={disabled}
        addLabel="+ path"
        add={() => ({ label: 'New path', when: { field: fields[0] ?? 'contact.plan', op: 'eq', value: '' } })}
        onChange={(v) => set('paths', v)}
        render={(p, setP) => (
          <>
            <TextInput
              ariaLabel="path label"
              value={str(p.label)}
              onCommit={(label) => setP({ ...p, label })}
              disabled={disabled}
            />
            <ConditionEditor
              value={p.when}
              fields={fields}
              disabled={disabled}
              onChange={(when) => setP({ ...p, when })}
            />
          </>
        )}
      />
    </>
  ),
};
