/** Reads a Server-Sent Events response as it comes: the events so far (data read by `parse`), and whether the server ended it. */
export function readStream<T = string>(res: Response, parse: (data: string) => T = (data) => data as T) {
  const reader = res.body!.getReader();
  const events: { event: string; data: T }[] = [];
  let ended = false;
  let buffer = '';
  const pump = (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) break;
      buffer += new TextDecoder().decode(value);
      let cut: number;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        if (event) events.push({ event, data: parse(/^data: (.*)$/m.exec(block)?.[1] ?? '') });
      }
    }
    ended = true;
  })();
  /** Waits (up to 3 s) until `test` holds. */
  const until = async (test: () => boolean) => {
    for (let i = 0; i < 150 && !test(); i++) await new Promise((r) => setTimeout(r, 20));
  };
  return {
    events,
    ended: () => ended,
    until,
    /** Stops reading and waits for the reader to finish. */
    cancel: async () => {
      await reader.cancel().catch(() => undefined);
      await pump;
    },
    /** Resolves once the server has ended the stream. */
    done: pump,
  };
}
