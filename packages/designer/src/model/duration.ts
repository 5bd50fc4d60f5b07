/** The units a duration is typed in, with the ISO 8601 letter each one writes. */
export const DURATION_UNITS = [
  { unit: 'minutes', iso: (n: number) => `PT${n}M` },
  { unit: 'hours', iso: (n: number) => `PT${n}H` },
  { unit: 'days', iso: (n: number) => `P${n}D` },
  { unit: 'weeks', iso: (n: number) => `P${n}W` },
] as const;

export type DurationUnit = (typeof DURATION_UNITS)[number]['unit'];

const SIMPLE = /^P(?:(\d+)([DW])|T(\d+)([HM]))$/;

/** An ISO duration of one unit as a number and unit ("PT4H" → 4 hours), or null for anything else. */
export function splitDuration(iso: string): { amount: number; unit: DurationUnit } | null {
  const m = SIMPLE.exec(iso);
  if (!m) return null;
  const letter = m[2] ?? m[4];
  const amount = Number(m[1] ?? m[3]);
  const unit = letter === 'D' ? 'days' : letter === 'W' ? 'weeks' : letter === 'H' ? 'hours' : 'minutes';
  return { amount, unit };
}

/** A number and a unit as an ISO 8601 duration: 3 days → "P3D". */
export const joinDuration = (amount: number, unit: DurationUnit): string =>
  DURATION_UNITS.find((u) => u.unit === unit)!.iso(amount);

/** A duration in words for a card: "3 days", "1 hour"; anything else as written. */
export function durationWords(iso: string): string {
  const d = splitDuration(iso);
  if (!d) return iso;
  return `${d.amount} ${d.amount === 1 ? d.unit.slice(0, -1) : d.unit}`;
}

/**
 * What a user typed into a duration field, with the unit chosen beside it: a whole number takes the unit,
 * an ISO 8601 duration is kept as it is, anything else is a problem to show.
 */
export function readDuration(
  text: string,
  unit: DurationUnit,
  isIso: (s: string) => boolean,
): { iso: string } | { problem: string } | { empty: true } {
  const t = text.trim();
  if (t === '') return { empty: true };
  if (/^\d+$/.test(t))
    return Number(t) > 0 ? { iso: joinDuration(Number(t), unit) } : { problem: 'must be more than 0' };
  if (isIso(t.toUpperCase())) return { iso: t.toUpperCase() };
  return { problem: 'a number (then pick the unit), or an ISO 8601 duration such as P1DT12H' };
}

/** Whether text has the shape of an ISO 8601 duration (the engine's validation has the last word). */
export const looksIso = (s: string) =>
  /^P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/.test(s);
