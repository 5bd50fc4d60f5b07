/**
 * Writes `JSON.stringify(value, null, 2)` and a newline, byte for byte, in pieces: the object's `streamed`
 * member a few hundred entries at a time, so that a report of a million contacts is never one string (V8
 * caps a string near 512 MB, and the copy alone would double the memory; issue #17). The streamed member
 * may also be given as its entries (`[key, value]` pairs, e.g. from a `ContactSpool`), written as the
 * object they make, so that it is never built at all.
 *
 * `drained`, when given, is awaited after each piece of the streamed member: it resolves once the reader
 * has taken what was written. A pipe whose reader is slower than the report is made (`| gzip`, `| jq`)
 * would otherwise queue the whole report in memory: 425 MB more resident for the 71 MB report of 100k
 * contacts, where the run itself peaks at about 320 MB (issue #17).
 */
export async function writeJson(
  write: (text: string) => void,
  value: Record<string, unknown>,
  streamed: string,
  drained?: () => Promise<void>,
): Promise<void> {
  const members = Object.entries(value).filter(([, v]) => v !== undefined && typeof v !== 'function');
  if (members.length === 0) {
    write('{}\n');
    return;
  }
  write('{\n');
  for (let i = 0; i < members.length; i++) {
    const [key, v] = members[i]!;
    write(`  ${JSON.stringify(key)}: `);
    if (key === streamed && isEntries(v)) await writeMembers(write, v, drained);
    else if (key === streamed && v !== null && typeof v === 'object' && !Array.isArray(v))
      await writeMembers(write, Object.entries(v), drained);
    else write(indent(JSON.stringify(v, null, 2), '  '));
    write(i < members.length - 1 ? ',\n' : '\n');
  }
  write('}\n');
}

/** Entries given one by one: an iterable that is not an array. */
const isEntries = (v: unknown): v is Iterable<[string, unknown]> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && Symbol.iterator in v;

/** An object two levels deep, from its entries, written in batches, each once the reader took the one before. */
async function writeMembers(
  write: (text: string) => void,
  entries: Iterable<[string, unknown]>,
  drained: (() => Promise<void>) | undefined,
): Promise<void> {
  let chunk = '';
  let first = true;
  for (const [key, v] of entries) {
    if (v === undefined || typeof v === 'function') continue;
    chunk += `${first ? '{\n' : ',\n'}    ${JSON.stringify(key)}: ${indent(JSON.stringify(v, null, 2), '    ')}`;
    first = false;
    if (chunk.length > 1 << 16) {
      write(chunk);
      chunk = '';
      if (drained) await drained();
    }
  }
  write(first ? '{}' : `${chunk}\n  }`);
}

/** JSON text nested deeper: strings in JSON hold no raw line breaks, so every line break starts a line. */
const indent = (json: string, by: string) => json.replaceAll('\n', `\n${by}`);
