import { createContext, useEffect, useLayoutEffect, useRef } from 'react';
import { PALETTE } from '../model/index.ts';

/** Where a step is to be put: after this port (its old target moves after the new step). */
export interface StepPlace {
  source: string;
  handle: string;
}

/** Opens the step menu for a place, next to the element that asked. Null on a read-only canvas. */
export const StepMenuContext = createContext<{ open: (place: StepPlace, anchor: DOMRect) => void } | null>(null);

/**
 * The menu of step types a "+" on a port or an edge opens: a button per type, the first focused, arrow
 * keys move, Escape closes.
 */
export function StepMenu({
  anchor,
  onPick,
  onClose,
}: {
  anchor: DOMRect;
  onPick: (type: string) => void;
  onClose: () => void;
}) {
  const list = useRef<HTMLDivElement>(null);
  // Focused before the menu is painted: a key pressed as soon as it shows goes to the menu, not to the
  // "+" that opened it (an effect focused it only after the paint).
  useLayoutEffect(() => {
    list.current?.querySelector('button')?.focus();
  }, []);
  useEffect(() => {
    const away = (e: PointerEvent) => !list.current?.contains(e.target as Node) && onClose();
    addEventListener('pointerdown', away, true);
    return () => removeEventListener('pointerdown', away, true);
  }, [onClose]);
  const move = (e: React.KeyboardEvent) => {
    const buttons = [...(list.current?.querySelectorAll('button') ?? [])];
    const i = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (e.key === 'Escape') onClose();
    else if (e.key === 'ArrowDown') buttons[(i + 1) % buttons.length]?.focus();
    else if (e.key === 'ArrowUp') buttons[(i - 1 + buttons.length) % buttons.length]?.focus();
    else return;
    e.preventDefault();
  };
  const top = Math.min(anchor.bottom + 4, innerHeight - 300);
  return (
    <div
      ref={list}
      className="step-menu"
      role="menu"
      aria-label="add a step"
      style={{ left: Math.min(anchor.left, innerWidth - 240), top }}
      onKeyDown={move}
    >
      {PALETTE.map((p) => (
        <button type="button" key={p.type} role="menuitem" className={`type-${p.type}`} onClick={() => onPick(p.type)}>
          <strong>{p.title}</strong>
        </button>
      ))}
    </div>
  );
}
