// @ts-check
// A small Node service that embeds Baton's engine: it takes Segment track and identify calls over HTTP,
// runs the pricing-intent journey on the real clock with a store of its own (mapStore.js), prints the
// handoffs it routes and the messages it would send, and lets reps act on handoffs by id.
//
//   node server.js [JOURNEY_DIR]       (default ../pricing-intent; PORT, default 3001)
//   curl -d '{"userId":"ada","traits":{"company":"Acme","employees":900,"title":"VP Sales","ownerId":"bo"}}' localhost:3001/identify
//   curl -d '{"userId":"ada","event":"Page Viewed","properties":{"path":"/pricing"}}' localhost:3001/track
//   curl localhost:3001/handoffs
//   curl -d '{"rep":"bo","outcome":"meeting_booked"}' localhost:3001/handoffs/HANDOFF_ID/outcome
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BatonError, createEngine, formatInstant } from '@baton/engine';
import { MapStore } from './mapStore.js';

const dir = process.argv[2]
  ? pathToFileURL(`${resolve(process.argv[2])}/`)
  : new URL('../pricing-intent/', import.meta.url);
const read = async (/** @type {string} */ name) => JSON.parse(await readFile(new URL(name, dir), 'utf8'));

const engine = createEngine({
  journeys: [await read('journey.json')],
  team: await read('team.json'),
  workspace: await read('workspace.json'),
  store: new MapStore(),
  clock: { now: () => Date.now() },
  onEffect(effect) {
    if (effect.type === 'message')
      console.log(`${effect.channel} to ${effect.contactId}: ${String(effect.params.template ?? effect.node)}`);
    if (effect.type !== 'event' || !effect.name.startsWith('Handoff ')) return;
    const p = effect.properties;
    if (effect.name === 'Handoff Assigned')
      console.log(
        `handoff ${p.handoff} for ${effect.contactId} assigned to ${p.rep} (${p.queue ?? 'owner'}), first touch due ${p.dueAt}`,
      );
    else console.log(`handoff ${p.handoff}: ${effect.name.slice('Handoff '.length).toLowerCase()}`);
  },
});
engine.start(); // fires waits, SLA deadlines and expiries as they fall due

/** @param {import('node:http').IncomingMessage} req */
async function body(req) {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text === '' ? {} : JSON.parse(text);
}

/** Answers one request; a Baton error (an invalid event, an unknown handoff) is the caller's 400. */
async function route(/** @type {string} */ method, /** @type {string} */ path, /** @type {any} */ input) {
  if (method === 'POST' && (path === '/track' || path === '/identify'))
    return (await engine.ingest({ ...input, type: path.slice(1) })).status;
  if (method === 'GET' && path === '/handoffs') {
    return (await engine.openHandoffs()).map((h) => ({
      id: h.id,
      contact: h.contactId,
      title: h.title,
      assignee: h.assignee,
      due: h.dueAt === null ? null : formatInstant(h.dueAt),
      breached: h.breached,
    }));
  }
  const act = /^\/handoffs\/([^/]+)\/(accept|reject|outcome)$/.exec(path);
  if (method === 'POST' && act) {
    const id = decodeURIComponent(act[1] ?? '');
    const by = { rep: input.rep, reason: input.reason, value: input.value };
    const applied =
      act[2] === 'accept'
        ? await engine.accept(id, by)
        : act[2] === 'reject'
          ? await engine.reject(id, by)
          : await engine.logOutcome(id, String(input.outcome), by);
    return applied.status;
  }
  return undefined;
}

const server = createServer(async (req, res) => {
  const reply = (/** @type {number} */ status, /** @type {unknown} */ json) =>
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
  try {
    const answer = await route(
      req.method ?? 'GET',
      new URL(req.url ?? '/', 'http://localhost').pathname,
      req.method === 'POST' ? await body(req) : {},
    );
    if (answer === undefined) reply(404, { error: 'not_found' });
    else reply(200, answer);
  } catch (err) {
    if (err instanceof BatonError) reply(400, { error: err.code, message: err.message });
    else if (err instanceof SyntaxError) reply(400, { error: 'invalid_json', message: err.message });
    else reply(500, { error: 'internal', message: String(err) });
  }
});
server.listen(Number(process.env.PORT ?? 3001), '127.0.0.1', () => {
  const address = server.address();
  console.log(`listening on http://127.0.0.1:${typeof address === 'object' && address ? address.port : ''}`);
});

for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.once(signal, () => {
    server.close();
    void engine.close().then(() => process.exit(0));
  });
}
