import { useEffect, useState } from 'react';

/** The longest a value waits for its frame (a hidden tab draws no frames). */
const LONGEST_MS = 250;

/**
 * `value`, once the frame that shows it has been painted: what can wait a frame (validating a 1,000-step
 * journey, writing its backup) runs after the edit is on screen instead of before. Values that follow one
 * another faster than frames are taken once, the last.
 */
export function useAfterPaint<T>(value: T): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    if (Object.is(settled, value)) return;
    let timer = 0;
    // A task queued from the frame's callback runs after that frame is painted.
    const frame = requestAnimationFrame(() => {
      clearTimeout(fallback);
      timer = window.setTimeout(() => setSettled(() => value), 0);
    });
    const fallback = window.setTimeout(() => {
      cancelAnimationFrame(frame);
      setSettled(() => value);
    }, LONGEST_MS);
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(fallback);
      clearTimeout(timer);
    };
  }, [value, settled]);
  return settled;
}
