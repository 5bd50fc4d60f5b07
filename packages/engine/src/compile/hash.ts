/** A stable 32-bit hash of a string: FNV-1a, then murmur3's finaliser so nearby ids spread evenly. */
export function stableHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The variant a contact gets at a split: the same contact always gets the same one. */
export function pickVariant(journeyId: string, nodeId: string, contactId: string, weights: readonly number[]): number {
  const total = weights.reduce((a, b) => a + b, 0);
  let bucket = stableHash(`${journeyId}\u0000${nodeId}\u0000${contactId}`) % total;
  for (let i = 0; i < weights.length; i++) {
    bucket -= weights[i]!;
    if (bucket < 0) return i;
  }
  return weights.length - 1;
}
