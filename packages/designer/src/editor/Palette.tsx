import type { ReactNode } from 'react';
import { PALETTE } from '../model/index.ts';

/**
 * The steps a journey is made of: click one (or Tab to it and press Enter) to add it after the selected
 * step, or drag it onto the canvas. Read-only versions show no palette.
 */
export function Palette({
  readOnly,
  onAdd,
  children,
}: {
  readOnly: boolean;
  onAdd: (type: string) => void;
  children: ReactNode;
}) {
  return (
    <aside className="palette" aria-label="palette">
      {readOnly ? (
        <p className="muted small">An old version is read-only: open the draft to change the journey.</p>
      ) : (
        <>
          <h3>Add a step</h3>
          <p className="muted small palette-help">
            Click or press Enter: it follows the selected step. Or drag it onto the canvas.
          </p>
          {PALETTE.map((p) => (
            <button
              key={p.type}
              type="button"
              className={`palette-item type-${p.type}`}
              draggable
              data-testid={`palette-${p.type}`}
              onClick={() => onAdd(p.type)}
              onDragStart={(e) => {
                e.dataTransfer.setData('application/baton-node', p.type);
                e.dataTransfer.effectAllowed = 'move';
              }}
            >
              <strong>{p.title}</strong>
              <span>{p.hint}</span>
            </button>
          ))}
        </>
      )}
      {children}
    </aside>
  );
}
