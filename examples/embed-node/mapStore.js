// @ts-check
// A store of this service's own: the engine's Store interface over plain Maps. Swap the Maps for your
// database's tables; the contract suite (`@baton/engine/store-contract`) says when it behaves as Baton
// needs: `runStoreContract('my store', async () => new MyStore())` under vitest.
import {
  ConflictError,
  DeskConflictError,
  DuplicateMessageError,
  byAge,
  byDueThenAge,
  handoffReport,
  matchesQuery,
  newDesk,
} from '@baton/engine';

/**
 * @typedef {import('@baton/engine').Store} Store
 * @typedef {import('@baton/engine').ContactState} ContactState
 * @typedef {import('@baton/engine').HandoffRecord} HandoffRecord
 * @typedef {import('@baton/engine').TimerRecord} TimerRecord
 * @typedef {import('@baton/engine').OutboxEntry} OutboxEntry
 * @typedef {import('@baton/engine').DeskState} DeskState
 */

/** @implements {Store} */
export class MapStore {
  /** @type {Map<string, ContactState>} contacts by id, in the order they were first stored */
  #contacts = new Map();
  /** @type {Map<string, number | null>} applied messageIds, with the instant of their commit */
  #messages = new Map();
  /** @type {Map<string, string>} which contact each handoff belongs to */
  #handoffOwner = new Map();
  /** @type {Map<string, { owner: string; until: number }>} timer claims, by timer id */
  #leases = new Map();
  /** @type {OutboxEntry[]} */
  #outbox = [];
  #seq = 0;
  /** @type {{ version: number; state: DeskState }} */
  #desk = { version: 0, state: newDesk() };

  /** @param {string} contactId */
  async load(contactId) {
    return this.#contacts.get(contactId);
  }

  /** @param {string} messageId */
  async hasMessage(messageId) {
    return this.#messages.has(messageId);
  }

  /** @param {number} before */
  async forgetMessages(before) {
    for (const [id, at] of this.#messages) if (at !== null && at < before) this.#messages.delete(id);
  }

  /** Checks everything first, then writes: a refused commit changes nothing. @param {import('@baton/engine').Commit} c */
  async commit(c) {
    const current = this.#contacts.get(c.contactId);
    if ((current?.version ?? 0) !== c.expectedVersion) throw new ConflictError(c.contactId);
    if (c.messageId !== undefined && this.#messages.has(c.messageId)) throw new DuplicateMessageError(c.messageId);
    if (c.desk && c.desk.expectedVersion !== this.#desk.version) throw new DeskConflictError();
    const timers = c.forget ? [] : c.state.timers;
    // A timer removed, or held by a paused journey, lets its claim go (resumed, it is due at once).
    for (const t of current?.timers ?? []) if (!timers.some((x) => x.id === t.id && !x.held)) this.#leases.delete(t.id);
    if (c.forget) {
      for (const h of current?.handoffs ?? []) this.#handoffOwner.delete(h.id);
      this.#contacts.delete(c.contactId);
    } else {
      for (const h of c.state.handoffs) this.#handoffOwner.set(h.id, c.contactId);
      this.#contacts.set(c.contactId, { ...c.state, version: c.expectedVersion + 1 });
      for (const effect of c.effects) this.#outbox.push({ seq: ++this.#seq, effect });
      if (c.desk) this.#desk = { version: c.desk.expectedVersion + 1, state: c.desk.state };
    }
    if (c.messageId !== undefined) this.#messages.set(c.messageId, c.at ?? null);
  }

  /** Timers that may fire: not held by a paused journey. @returns {TimerRecord[]} */
  #timers() {
    return [...this.#contacts.values()].flatMap((s) => s.timers.filter((t) => !t.held));
  }

  /** @param {import('@baton/engine').ClaimRequest} r */
  async claimDueTimers(r) {
    const free = (/** @type {TimerRecord} */ t) => (this.#leases.get(t.id)?.until ?? -Infinity) <= r.now;
    const due = this.#timers()
      .filter((t) => t.dueAt <= r.dueBy && free(t))
      .sort((a, b) => a.dueAt - b.dueAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .slice(0, r.limit);
    for (const t of due) this.#leases.set(t.id, { owner: r.owner, until: r.leaseUntil });
    return due;
  }

  async nextDueAt() {
    let next = null;
    for (const t of this.#timers()) if (!this.#leases.has(t.id) && (next === null || t.dueAt < next)) next = t.dueAt;
    return next;
  }

  /** @param {number} after @param {number} limit */
  async readOutbox(after, limit) {
    return this.#outbox.filter((e) => e.seq > after).slice(0, limit);
  }

  /** @param {number} upTo */
  async pruneOutbox(upTo) {
    this.#outbox = this.#outbox.filter((e) => e.seq > upTo);
  }

  async loadDesk() {
    return this.#desk;
  }

  /** @param {import('@baton/engine').DeskCommit} d */
  async commitDesk(d) {
    if (d.expectedVersion !== this.#desk.version) throw new DeskConflictError();
    this.#desk = { version: d.expectedVersion + 1, state: d.state };
  }

  /** @returns {HandoffRecord[]} */
  #allHandoffs() {
    return [...this.#contacts.values()].flatMap((s) => s.handoffs);
  }

  async openHandoffs() {
    return this.#allHandoffs()
      .filter((h) => h.status === 'open')
      .sort(byAge);
  }

  /** @param {string} id */
  async handoff(id) {
    const owner = this.#handoffOwner.get(id);
    return owner === undefined ? undefined : this.#contacts.get(owner)?.handoffs.find((h) => h.id === id);
  }

  /** @param {import('@baton/engine').HandoffQuery} query */
  async handoffs(query) {
    return this.#allHandoffs()
      .filter((h) => matchesQuery(h, query))
      .sort(byDueThenAge)
      .slice(0, query.limit ?? Infinity);
  }

  /** @param {import('@baton/engine').ReportPeriod} period */
  async report(period) {
    return handoffReport(this.#contacts.values(), period);
  }

  /** @param {import('@baton/engine').WaitingQuery} q */
  async waitingHandoffs(q) {
    const { after, skipQueues = [] } = q;
    return this.#allHandoffs()
      .filter((h) => h.status === 'open' && h.assignee === null && (h.queue === null || !skipQueues.includes(h.queue)))
      .filter((h) => after === undefined || byAge(h, after) > 0)
      .sort(byAge)
      .slice(0, q.limit);
  }

  async repLoads() {
    /** @type {Record<string, number>} */
    const loads = Object.create(null); // rep ids are user data: no prototype to collide with
    for (const h of this.#allHandoffs())
      if (h.status === 'open' && h.assignee !== null) loads[h.assignee] = (loads[h.assignee] ?? 0) + 1;
    return loads;
  }

  async contactIds() {
    return [...this.#contacts.keys()];
  }

  async contacts() {
    return [...this.#contacts.values()];
  }

  async close() {}
}
