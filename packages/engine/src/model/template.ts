import { z } from 'zod';

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const ALLOWED =
  /^(contact\.[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*|score\.[A-Za-z0-9_-]+|event\.properties\.[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*)$/;

/** The problems of a template: only {{contact.x}}, {{score.x}} and {{event.properties.x}} may appear. */
export function templateProblems(template: string): string[] {
  const problems: string[] = [];
  for (const m of template.matchAll(PLACEHOLDER)) {
    const path = m[1] ?? '';
    if (!ALLOWED.test(path))
      problems.push(`placeholder {{${path}}} must be contact.FIELD, score.NAME or event.properties.FIELD`);
  }
  const rest = template.replace(PLACEHOLDER, '');
  if (rest.includes('{{') || rest.includes('}}')) problems.push('has an unbalanced {{ or }}');
  return problems;
}

/** A text template with {{contact.x}}, {{score.x}} and {{event.properties.x}} placeholders. */
export const Template = z.string().superRefine((s, ctx) => {
  for (const message of templateProblems(s)) ctx.addIssue({ code: 'custom', message });
});
export type Template = z.infer<typeof Template>;

/**
 * What a placeholder shows for `value`: nothing when it is missing; an object by its `name` when it has a
 * non-empty text or a number one (Segment's `company` trait is `{ name, id, industry, … }`, and a rep
 * reads "Acme", not its JSON); any other object or array as JSON.
 */
function shown(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'object') return String(value);
  if (!Array.isArray(value) && Object.hasOwn(value, 'name')) {
    const { name } = value as { name: unknown };
    if ((typeof name === 'string' && name !== '') || typeof name === 'number') return String(name);
  }
  return JSON.stringify(value);
}

/** Fills a template; a missing value becomes an empty string. Nothing in it is executed. */
export function renderTemplate(template: string, read: (segments: string[]) => unknown): string {
  return template.replace(PLACEHOLDER, (_, path: string) => shown(read(path.split('.'))));
}
