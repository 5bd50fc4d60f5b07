import { useLayoutEffect, useRef } from 'react';

const FOCUSABLE = 'a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"])';

/** What Tab can reach inside a box: enabled, shown, and (for a radio group) the checked radio or the first. */
function tabbable(box: HTMLElement): HTMLElement[] {
  return [...box.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
    (e) =>
      !(e as HTMLButtonElement).disabled &&
      e.getClientRects().length > 0 &&
      !(
        e instanceof HTMLInputElement &&
        e.type === 'radio' &&
        !e.checked &&
        !!e.name &&
        box.querySelector(`input[type=radio][name="${e.name}"]:checked`)
      ),
  );
}

/**
 * A modal dialog's keyboard: Tab and Shift+Tab go round the dialog's own controls and never behind it,
 * Escape closes it (wherever the focus is), and on closing the focus goes back to what opened it. Give the
 * returned ref to the dialog's box. The focus goes to the dialog's first control unless the dialog puts it
 * somewhere of its own. Set up before the dialog is painted (a layout effect), so a key pressed
 * as it shows is the dialog's; call it before the dialog's own focusing layout effect, so that what opened
 * the dialog is still the one focused when it is noted.
 */
export function useModal<T extends HTMLElement>(onClose: () => void) {
  const box = useRef<T>(null);
  const close = useRef(onClose);
  close.current = onClose;
  useLayoutEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const onKey = (e: KeyboardEvent) => {
      const b = box.current;
      if (!b) return;
      if (e.key === 'Escape') {
        e.preventDefault();
        close.current();
        return;
      }
      if (e.key !== 'Tab') return;
      const items = tabbable(b);
      if (items.length === 0) return;
      const at = items.indexOf(document.activeElement as HTMLElement);
      const next = at === -1 ? 0 : (at + (e.shiftKey ? items.length - 1 : 1)) % items.length;
      // Only at the ends (or from outside) is the browser's own move overridden.
      if (at === -1 || (e.shiftKey && at === 0) || (!e.shiftKey && at === items.length - 1)) {
        e.preventDefault();
        items[next]!.focus();
      }
    };
    // A click or a script that puts the focus behind the dialog: it comes back in.
    const onFocus = (e: FocusEvent) => {
      const b = box.current;
      if (b && e.target instanceof Node && !b.contains(e.target)) tabbable(b)[0]?.focus();
    };
    document.addEventListener('keydown', onKey, true);
    document.addEventListener('focusin', onFocus);
    // A dialog that focuses none of its controls itself (in its own layout effect, which runs after this
    // one) gets its first: after every layout effect of this commit, still before the paint.
    queueMicrotask(() => {
      const b = box.current;
      if (b && !b.contains(document.activeElement)) tabbable(b)[0]?.focus();
    });
    return () => {
      document.removeEventListener('keydown', onKey, true);
      document.removeEventListener('focusin', onFocus);
      if (opener?.isConnected) opener.focus();
    };
  }, []);
  return box;
}
