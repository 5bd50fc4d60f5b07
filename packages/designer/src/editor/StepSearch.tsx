import { useState } from 'react';
import { findSteps, type DraftJourney } from '../model/index.ts';
import { nodeTypeDef } from '../nodeTypes/index.ts';

/** Find a step by its name or id and jump to it: Enter takes the first match, arrows choose another. */
export function StepSearch({ journey, onJump }: { journey: DraftJourney; onJump: (id: string) => void }) {
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const matches = findSteps(journey, query);
  const jump = (id: string) => {
    onJump(id);
    setQuery('');
  };
  return (
    <div className="step-search nodrag nopan">
      <input
        type="search"
        role="combobox"
        aria-label="find a step"
        aria-expanded={matches.length > 0}
        aria-controls="step-matches"
        aria-activedescendant={matches[active] ? `step-match-${active}` : undefined}
        placeholder={`Find a step (${journey.nodes.length})…`}
        value={query}
        onChange={(e) => {
          setQuery(e.target.value);
          setActive(0);
        }}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') setActive((a) => Math.min(a + 1, matches.length - 1));
          else if (e.key === 'ArrowUp') setActive((a) => Math.max(a - 1, 0));
          else if (e.key === 'Enter' && matches[active]) jump(matches[active].id);
          else if (e.key === 'Escape') setQuery('');
          else return;
          e.preventDefault();
        }}
      />
      {matches.length > 0 && (
        <div id="step-matches" role="listbox" aria-label="steps found">
          {matches.map((m, i) => (
            // The combobox pattern (WAI-ARIA APG): focus stays in the search field, which moves the active
            // option with the arrows and takes it with Enter; an option itself only takes the mouse.
            // biome-ignore lint/a11y/useKeyWithClickEvents: the field above handles the keys for every option.
            // biome-ignore lint/a11y/useFocusableInteractive: options are reached through aria-activedescendant.
            <div
              key={m.id}
              id={`step-match-${i}`}
              role="option"
              aria-selected={i === active}
              className={i === active ? 'active' : ''}
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => jump(m.id)}
            >
              <strong>{m.label ?? m.id}</strong>{' '}
              <span className="muted small">
                {nodeTypeDef(m.type)?.palette.title ?? m.type}
                {m.label ? ` · ${m.id}` : ''}
              </span>
            </div>
          ))}
        </div>
      )}
    </div>
  );
}
