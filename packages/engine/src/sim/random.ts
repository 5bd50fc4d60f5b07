/** A seeded generator whose position can be read: `seededRandom(r.state())` goes on exactly where `r` is. */
export interface SeededRandom {
  (): number;
  /** Where the generator is: a seed that continues from here. */
  state(): number;
  /** Moves the generator to a position `state()` gave. */
  seek(state: number): void;
}

/** A seeded pseudo-random generator (mulberry32): the same seed gives the same sequence everywhere. */
export function seededRandom(seed: number): SeededRandom {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Object.assign(next, {
    state: () => a,
    seek: (state: number) => {
      a = state >>> 0;
    },
  });
}

/** An exponentially distributed delay with the given mean (how long people take to respond). */
export function exponential(random: () => number, mean: number): number {
  return -Math.log(1 - random()) * mean;
}
