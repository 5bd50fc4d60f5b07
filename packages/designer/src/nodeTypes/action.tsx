import { ACTIONS } from '@baton/engine/internal';
import { Field, JsonInput, Select, TextInput } from '../editor/fields.tsx';
import { isRecord, type DraftNode } from '../model/draft.ts';
import { portSlot, str } from '../model/slots.ts';
import type { NodeFormProps, NodeTypeDef } from './nodeType.ts';

type Params = Record<string, unknown>;
type Action = (typeof ACTIONS)[number];

const paramsOf = (node: DraftNode): Params => (isRecord(node.params) ? node.params : {});
const without = (o: Params, key: string): Params => Object.fromEntries(Object.entries(o).filter(([k]) => k !== key));
/** Sets one parameter; an empty text removes it. */
const withParam = (params: Params, key: string, value: unknown): Params =>
  value === undefined || value === '' ? without(params, key) : { ...params, [key]: value };

/** The parameters a new action of each kind starts from (SPEC §5). */
const STARTING_PARAMS: Record<Action, Params> = {
  email: { template: 'welcome' },
  sms: { template: 'welcome' },
  webhook: { url: 'https://' },
  update_contact: { traits: {} },
  notify: { to: 'owner' },
};

/** A trait value as typed: numbers, true/false and JSON stay what they are, anything else is text. */
const readValue = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};
const showValue = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

const isHttpUrl = (s: string) => {
  try {
    return ['http:', 'https:'].includes(new URL(s).protocol);
  } catch {
    return false;
  }
};

/** Email and SMS: the template, and whether it still goes out while a rep works the contact. */
function MessageFields({ params, put, disabled }: { params: Params; put: (p: Params) => void; disabled: boolean }) {
  return (
    <>
      <Field label="Template" hint="the name of the template your email or SMS provider sends">
        <TextInput
          ariaLabel="template"
          value={str(params.template)}
          placeholder="welcome"
          onCommit={(t) => put(withParam(params, 'template', t.trim()))}
          disabled={disabled}
        />
      </Field>
      <Field label="While a rep works the contact">
        <select
          aria-label="send while a rep works the contact"
          value={params.whileHumanEngaged === 'send' ? 'send' : 'hold'}
          disabled={disabled}
          onChange={(e) => put(withParam(params, 'whileHumanEngaged', e.target.value === 'send' ? 'send' : undefined))}
        >
          <option value="hold">don't send (recorded as suppressed)</option>
          <option value="send">send anyway</option>
        </select>
      </Field>
    </>
  );
}

/** The contact's traits to set, as name and value rows. */
function TraitFields({ params, put, disabled }: { params: Params; put: (p: Params) => void; disabled: boolean }) {
  const traits = isRecord(params.traits) ? params.traits : {};
  const entries = Object.entries(traits);
  const putTraits = (next: [string, unknown][]) => put({ ...params, traits: Object.fromEntries(next) });
  return (
    <fieldset className="trait-list" aria-label="traits to set">
      <legend className="small">Set on the contact</legend>
      {entries.length === 0 && <p className="field-error">Add a trait to set, or this step does nothing.</p>}
      {entries.map(([name, value], i) => (
        <div key={`${i}:${name}`} className="trait-row">
          <TextInput
            ariaLabel={`trait ${i + 1} name`}
            value={name}
            placeholder="plan"
            onCommit={(n) => {
              const key = n.trim();
              if (!key || (key !== name && key in traits)) return;
              putTraits(entries.map((e, k) => (k === i ? [key, e[1]] : e)));
            }}
            disabled={disabled}
          />
          <TextInput
            ariaLabel={`trait ${i + 1} value`}
            value={showValue(value)}
            placeholder="value"
            onCommit={(v) => putTraits(entries.map((e, k) => (k === i ? [e[0], readValue(v)] : e)))}
            disabled={disabled}
          />
          <button
            type="button"
            className="icon"
            aria-label={`remove trait ${name}`}
            title="remove this trait"
            disabled={disabled}
            onClick={() => putTraits(entries.filter((_, k) => k !== i))}
          >
            ✕
          </button>
        </div>
      ))}
      <button
        type="button"
        className="link"
        disabled={disabled}
        onClick={() => {
          let n = 1;
          while (`trait_${n}` in traits) n++;
          putTraits([...entries, [`trait_${n}`, '']]);
        }}
      >
        + trait
      </button>
    </fieldset>
  );
}

/** The form for each action's parameters (SPEC §5); anything else stays in the node's JSON. */
function ActionForm({ node, set, update, team, teams, disabled }: NodeFormProps) {
  // Reps of the teams the journey hands off to (all reps when it hands off to none).
  const notifiable = (team?.reps ?? []).filter(
    (r) => teams.length === 0 || (r.team !== undefined && teams.includes(r.team)),
  );
  const named = (id: string) => team?.reps.find((r) => r.id === id)?.name ?? id;
  const action = str(node.action) as Action;
  const params = paramsOf(node);
  const put = (p: Params) => set('params', p);
  const url = str(params.url);
  const to = str(params.to);
  return (
    <>
      <Field label="Action">
        <Select
          ariaLabel="action"
          value={action}
          options={ACTIONS}
          onChange={(v) => {
            if (v === action) return;
            // Another kind of action takes other parameters: start from that kind's, keeping what still fits.
            const keep =
              v === 'email' || v === 'sms'
                ? { template: params.template, whileHumanEngaged: params.whileHumanEngaged }
                : {};
            const kept = Object.fromEntries(Object.entries(keep).filter(([, x]) => x !== undefined));
            update({ ...node, action: v, params: { ...STARTING_PARAMS[v], ...kept } });
          }}
          disabled={disabled}
        />
      </Field>
      {(action === 'email' || action === 'sms') && <MessageFields params={params} put={put} disabled={disabled} />}
      {action === 'webhook' && (
        <Field label="Post to URL" hint="the contact and the journey are posted here as JSON">
          <TextInput
            ariaLabel="webhook URL"
            value={url}
            placeholder="https://example.com/hooks/baton"
            onCommit={(u) => put({ ...params, url: u.trim() })}
            disabled={disabled}
          />
          {!isHttpUrl(url) && (
            <span className="field-error">Enter a web address starting with https:// (or http://).</span>
          )}
        </Field>
      )}
      {action === 'update_contact' && <TraitFields params={params} put={put} disabled={disabled} />}
      {action === 'notify' && (
        <>
          <Field label="Notify">
            <select
              aria-label="notify whom"
              value={to}
              disabled={disabled}
              onChange={(e) => put({ ...params, to: e.target.value })}
            >
              {to === '' && <option value="">choose…</option>}
              <option value="owner">the contact's owner</option>
              {notifiable.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name ?? r.id}
                </option>
              ))}
              {to !== '' && to !== 'owner' && !notifiable.some((r) => r.id === to) && (
                <option value={to}>
                  {named(to)} ({team?.reps.some((r) => r.id === to) ? 'another team' : 'not in the team'})
                </option>
              )}
            </select>
          </Field>
          <Field label="Message" hint="optional">
            <TextInput
              ariaLabel="notify message"
              value={str(params.message)}
              onCommit={(m) => put(withParam(params, 'message', m))}
              disabled={disabled}
            />
          </Field>
        </>
      )}
      <details className="raw">
        <summary>Advanced: parameters as JSON</summary>
        <JsonInput
          ariaLabel="parameters"
          value={params}
          onCommit={(v) => set('params', v ?? {})}
          check={(v) => (v === undefined || isRecord(v) ? null : 'parameters are an object: { "name": value, … }')}
          disabled={disabled}
        />
      </details>
    </>
  );
}

/** action: sends an email or SMS, calls a webhook, updates the contact or notifies a rep; then `next`. */
export const actionType: NodeTypeDef = {
  type: 'action',
  palette: { title: 'Action', hint: 'Send an email or SMS, call a webhook, update the contact, notify a rep' },
  template: ({ id }) => ({ id, type: 'action', action: 'email', params: { template: 'welcome' } }),
  ports: (node) => [portSlot(node, 'next', 'next', ['next'])],
  summary: (node) => {
    const params = paramsOf(node);
    const detail = str(params.template) || str(params.subject) || str(params.url) || str(params.to);
    return [`${str(node.action) || '?'}${detail ? `: ${detail}` : ''}`];
  },
  Form: ActionForm,
};
