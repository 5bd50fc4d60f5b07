/**
 * Writes `JSON.stringify(value, null, 2)` and a newline, byte for byte, in pieces: the object's `streamed`
 * member a few hundred entries at a time, so that a report of a million contacts is never one string (V8
 * caps a string near 512 MB, and the copy alone would double the memory; issue #17).
 */
export function writeJson(write: (text: string) => void, value: Record<string, unknown>, streamed: string): void {
  const members = Object.entries(value).filter(([, v]) => v !== undefined && typeof v !== 'function');
  if (members.length === 0) {
    write('{}\n');
    return;
  }
  write('{\n');
  members.forEach(([key, v], i) => {
    write(`  ${JSON.stringify(key)}: `);
    if (key === streamed && v !== null && typeof v === 'object' && !Array.isArray(v)) writeMembers(write, v);
    else write(indent(JSON.stringify(v, null, 2), '  '));
    write(i < members.length - 1 ? ',\n' : '\n');
  });
  write('}\n');
}

/** An object two levels deep, its members written in batches. */
function writeMembers(write: (text: string) => void, obj: object): void {
  const entries = Object.entries(obj).filter(([, v]) => v !== undefined && typeof v !== 'function');
  if (entries.length === 0) {
    write('{}');
    return;
  }
  let chunk = '{\n';
  entries.forEach(([key, v], i) => {
    chunk += `    ${JSON.stringify(key)}: ${indent(JSON.stringify(v, null, 2), '    ')}${i < entries.length - 1 ? ',' : ''}\n`;
    if (chunk.length > 1 << 16) {
      write(chunk);
      chunk = '';
    }
  });
  write(`${chunk}  }`);
}

/** JSON text nested deeper: strings in JSON hold no raw line breaks, so every line break starts a line. */
const indent = (json: string, by: string) => json.replaceAll('\n', `\n${by}`);
