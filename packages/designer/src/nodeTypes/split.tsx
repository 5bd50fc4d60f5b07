import { TextInput } from '../editor/fields.tsx';
import { ListEditor } from '../editor/widgets.tsx';
import { isRecord, type DraftNode } from '../model/draft.ts';
import { portSlot, str } from '../model/slots.ts';
import type { NodeTypeDef } from './nodeType.ts';

const variantsOf = (node: DraftNode) => (Array.isArray(node.variants) ? node.variants : []) as unknown[];

/** split: stable weighted variants (A/B), a port per variant. */
export const splitType: NodeTypeDef = {
  type: 'split',
  palette: { title: 'A/B split', hint: 'Stable weighted variants' },
  template: ({ id }) => ({
    id,
    type: 'split',
    variants: [
      { label: 'A', weight: 50 },
      { label: 'B', weight: 50 },
    ],
  }),
  ports: (node) =>
    variantsOf(node).map((v, i) =>
      portSlot(
        node,
        `variants.${i}`,
        isRecord(v) && typeof v.label === 'string' && v.label ? v.label : `variant ${i + 1}`,
        ['variants', i, 'next'],
      ),
    ),
  summary: (node) => [
    variantsOf(node)
      .map((v) => (isRecord(v) ? `${str(v.label)} ${String(v.weight ?? '')}` : ''))
      .join(' / '),
  ],
  Form: ({ node, set, disabled }) => (
    <>
      <h4>Variants</h4>
      <ListEditor
        items={variantsOf(node) as Record<string, unknown>[]}
        disabled={disabled}
        addLabel="+ variant"
        add={() => ({ label: 'C', weight: 1 })}
        onChange={(v) => set('variants', v)}
        render={(v, setV) => (
          <div className="row2">
            <TextInput
              ariaLabel="variant label"
              value={str(v.label)}
              onCommit={(label) => setV({ ...v, label })}
              disabled={disabled}
            />
            <TextInput
              ariaLabel="weight"
              value={String(v.weight ?? '')}
              onCommit={(w) => setV({ ...v, weight: Number(w) })}
              disabled={disabled}
            />
          </div>
        )}
      />
    </>
  ),
};
