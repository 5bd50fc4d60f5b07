import { ACTIONS } from '@baton/engine/internal';
import { Field, JsonInput, Select } from '../editor/fields.tsx';
import { isRecord } from '../model/draft.ts';
import { portSlot, str } from '../model/slots.ts';
import type { NodeTypeDef } from './nodeType.ts';

/** action: sends an email or SMS, calls a webhook, updates the contact or notifies a rep; then `next`. */
export const actionType: NodeTypeDef = {
  type: 'action',
  palette: { title: 'Action', hint: 'Send an email or SMS, call a webhook, update the contact, notify a rep' },
  template: ({ id }) => ({ id, type: 'action', action: 'email', params: { template: 'welcome' } }),
  ports: (node) => [portSlot(node, 'next', 'next', ['next'])],
  summary: (node) => {
    const params = isRecord(node.params) ? node.params : {};
    const detail = str(params.template) || str(params.subject) || str(params.url) || str(params.to);
    return [`${str(node.action) || '?'}${detail ? `: ${detail}` : ''}`];
  },
  Form: ({ node, set, disabled }) => (
    <>
      <Field label="Action">
        <Select
          ariaLabel="action"
          value={str(node.action) as (typeof ACTIONS)[number]}
          options={ACTIONS}
          onChange={(v) => set('action', v)}
          disabled={disabled}
        />
      </Field>
      <Field
        label="Parameters"
        hint={
          node.action === 'webhook'
            ? '{ "url": "https://..." }'
            : node.action === 'update_contact'
              ? '{ "traits": { ... } }'
              : '{ "template": "..." }'
        }
      >
        <JsonInput
          ariaLabel="parameters"
          value={node.params ?? {}}
          onCommit={(v) => set('params', v ?? {})}
          disabled={disabled}
        />
      </Field>
    </>
  ),
};
