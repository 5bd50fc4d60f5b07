import { inIdOrder, syntheticUserId } from './population.ts';
import type { ReportJourney } from './report.ts';

/** One contact's entry in the report's `contacts`. */
export type ContactEntry = { journeys: Record<string, ReportJourney> };

/** Bytes per chunk of the spool: big enough that a chunk holds thousands of entries. */
const CHUNK = 1 << 24;

/**
 * The report entries of a synthetic run's finished contacts, held as compact JSON bytes outside the
 * JavaScript heap until the report is written in id order (issue #17): about 380 bytes a contact that no
 * collection walks, where objects stayed in the heap to the end of the run. At a million contacts this
 * gave a peak about 5% lower and about 5% less CPU (docs/BENCHMARKS.md). Contacts finish in no
 * particular order, so each entry's place is kept by contact index.
 */
export class ContactSpool {
  private readonly chunks: Uint8Array[] = [];
  private used = CHUNK; // (no chunk yet: the first add makes one)
  private readonly chunkOf: Uint16Array;
  private readonly offset: Uint32Array;
  /** Bytes of each contact's entry; 0 for a contact not (yet) reported. */
  private readonly bytes: Uint32Array;
  private readonly encoder = new TextEncoder();

  constructor(readonly contacts: number) {
    this.chunkOf = new Uint16Array(contacts);
    this.offset = new Uint32Array(contacts);
    this.bytes = new Uint32Array(contacts);
  }

  /** Keeps contact `index`'s entry (a later one for the same contact replaces it). */
  add(index: number, journeys: Record<string, ReportJourney>): void {
    this.addJson(index, JSON.stringify(journeys));
  }

  /** `add` of an entry already written as JSON (a worker's: `PartitionBatch.finished`). */
  addJson(index: number, text: string): void {
    let chunk = this.chunks.at(-1);
    let written = chunk ? this.encoder.encodeInto(text, chunk.subarray(this.used)) : undefined;
    if (written === undefined || written.read < text.length) {
      // UTF-8 takes at most 3 bytes per UTF-16 unit; an entry larger than a chunk gets a chunk of its own.
      chunk = new Uint8Array(Math.max(CHUNK, text.length * 3));
      this.chunks.push(chunk);
      this.used = 0;
      written = this.encoder.encodeInto(text, chunk);
    }
    this.chunkOf[index] = this.chunks.length - 1;
    this.offset[index] = this.used;
    this.bytes[index] = written.written;
    this.used += written.written;
  }

  /** Contact `index`'s entry, read back as a new object, or undefined if it was never added. */
  entry(index: number): ContactEntry | undefined {
    const n = this.bytes[index]!;
    if (n === 0) return undefined;
    const at = this.offset[index]!;
    const text = DECODER.decode(this.chunks[this.chunkOf[index]!]!.subarray(at, at + n));
    return { journeys: JSON.parse(text) as Record<string, ReportJourney> };
  }

  /** Every reported contact's id and entry, in the order of their ids as strings (the report's order). */
  *inIdOrder(): Generator<[string, ContactEntry]> {
    const order = new Uint32Array(this.contacts);
    let n = 0;
    inIdOrder(this.contacts, (i) => {
      order[n++] = i;
    });
    for (const i of order) {
      const entry = this.entry(i);
      if (entry) yield [syntheticUserId(i), entry];
    }
  }
}

const DECODER = new TextDecoder();
