import { randomBytes } from 'node:crypto';
import {
  BatonError,
  InputInvalidError,
  Journey,
  JourneyInvalidError,
  Team,
  draftTarget,
  migrateContacts,
  own,
  parseInput,
  planFromStore,
  publishedTarget,
  validateJourney,
  type Clock,
  type MigrationMap,
  type MigrationPlan,
  type MigrationResult,
  type Runtime,
  type ValidationError,
  type ValidationResult,
} from '@baton/engine/internal';
import {
  signingSecret,
  type ApiToken,
  type JourneyDraft,
  type PendingMigration,
  type PublishedJourney,
  type ServerConfig,
  type WebhookEndpoint,
} from './configFile.ts';
import type { Document } from '../stores/document.ts';

const idOf = (definition: unknown): unknown =>
  typeof definition === 'object' && definition !== null ? (definition as { id?: unknown }).id : undefined;

/**
 * Configuration (journeys, drafts, the team, tokens, webhook endpoints) as the server keeps it in
 * `DATA/config.json`, apart from runtime state. Every change is checked first, written durably, and only
 * then applied to the running engine, so a refused or failed change leaves both as they were.
 */
export class Configuration {
  private writing: Promise<unknown> = Promise.resolve();

  constructor(
    readonly data: ServerConfig,
    private readonly file: Document<ServerConfig>,
    private readonly runtime: Runtime,
    private readonly clock: Clock,
  ) {}

  /** Every version of a journey, oldest first. */
  versions(id: string): PublishedJourney[] {
    return this.data.journeys.filter((j) => j.id === id).sort((a, b) => a.version - b.version);
  }

  /** The latest published version, or undefined. */
  latest(id: string): PublishedJourney | undefined {
    return this.versions(id).at(-1);
  }

  isArchived(id: string): boolean {
    return this.data.archived.includes(id);
  }

  /** The ids of every journey, published or draft, sorted. */
  journeyIds(): string[] {
    return [...new Set([...this.data.journeys.map((j) => j.id), ...Object.keys(this.data.drafts)])].sort();
  }

  /** Validates a definition against the current team. */
  validate(definition: unknown): ValidationResult {
    return validateJourney(definition, this.data.team);
  }

  /** Starts a new journey as a draft; its id must be new. A draft may be invalid while it is edited. */
  createDraft(definition: unknown): Promise<JourneyDraft> {
    const id = idOf(definition);
    if (typeof id !== 'string' || id === '')
      throw new InputInvalidError([{ path: '$.id', node: null, message: 'a journey needs a string id' }], 'journey');
    if (this.journeyIds().includes(id))
      throw new BatonError(
        'conflict',
        `journey ${id} already exists; update its draft with PUT /api/journeys/${id}/draft`,
      );
    return this.saveDraft(id, definition);
  }

  /** Saves the draft of a journey (the id in the definition must be the journey's). */
  saveDraft(id: string, definition: unknown): Promise<JourneyDraft> {
    if (idOf(definition) !== id)
      throw new InputInvalidError(
        [{ path: '$.id', node: null, message: `must be "${id}", the journey being edited` }],
        'journey',
      );
    const draft: JourneyDraft = { definition, updatedAt: new Date(this.clock.now()).toISOString() };
    return this.change(
      (d) => ({ ...d, drafts: { ...d.drafts, [id]: draft } }),
      () => draft,
    );
  }

  /** Throws away a journey's draft. */
  discardDraft(id: string): Promise<void> {
    this.draftOf(id);
    return this.change(
      (d) => ({ ...d, drafts: Object.fromEntries(Object.entries(d.drafts).filter(([k]) => k !== id)) }),
      () => undefined,
    );
  }

  /** The draft of a journey, or undefined. Drafts are keyed by journey id, so only own keys count (`toString` is no draft). */
  draft(id: string): JourneyDraft | undefined {
    return own(this.data.drafts, id);
  }

  /** The draft of a journey, or a 404-coded error. */
  draftOf(id: string): JourneyDraft {
    const draft = this.draft(id);
    if (!draft) throw new BatonError('not_found', `journey ${id} has no draft`);
    return draft;
  }

  /**
   * Publishes a journey's draft as its next immutable version: new contacts enter it, contacts already
   * inside stay on the version they started, unless a migration map is given (SPEC §10): then the contacts
   * waiting at mapped nodes move to it. The map is checked before anything changes; the migration is kept
   * in the configuration until it has finished, so a crash in between resumes it at start. The draft is
   * then gone; editing starts from the new version.
   */
  async publish(id: string, migrate?: MigrationMap): Promise<PublishedJourney & { migration?: MigrationResult }> {
    const draft = this.draftOf(id);
    const result = this.validate(draft.definition);
    if (!result.valid) throw new JourneyInvalidError(result.errors);
    if (migrate !== undefined) draftTarget(this.runtime.catalog, draft.definition, migrate, this.data.team);
    const definition = Journey.parse(draft.definition);
    let published!: PublishedJourney;
    let pending: PendingMigration | undefined;
    await this.change(
      (d) => {
        const version = Math.max(0, ...d.journeys.filter((j) => j.id === id).map((j) => j.version)) + 1;
        published = { id, version, publishedAt: new Date(this.clock.now()).toISOString(), definition };
        pending = migrate === undefined ? undefined : { journey: id, version, migrate };
        return {
          ...d,
          journeys: [...d.journeys, published],
          drafts: Object.fromEntries(Object.entries(d.drafts).filter(([k]) => k !== id)),
          archived: d.archived.filter((a) => a !== id),
          migrations: pending ? [...d.migrations, pending] : d.migrations,
        };
      },
      () => this.runtime.catalog.publish(published.definition, this.data.team),
    );
    if (!pending) return published;
    return { ...published, migration: await this.finishMigration(pending) };
  }

  /** What publishing `definition` (default: the journey's draft) with a migration map would move, without applying it. */
  migrationPlan(id: string, definition: unknown, migrate: MigrationMap): Promise<MigrationPlan> {
    const journey = definition ?? this.draftOf(id).definition;
    if (idOf(journey) !== id)
      throw new InputInvalidError(
        [{ path: '$.journey.id', node: null, message: `must be "${id}", the journey being planned` }],
        'migration plan',
      );
    return planFromStore(
      this.runtime.store,
      this.runtime.catalog,
      draftTarget(this.runtime.catalog, journey, migrate, this.data.team),
    );
  }

  /** Runs the migrations a crash left unfinished (each move is skipped for a contact already moved). */
  async resumeMigrations(): Promise<void> {
    for (const pending of [...this.data.migrations]) await this.finishMigration(pending);
  }

  /** Moves every contact that maps, then forgets the pending migration. */
  private async finishMigration(pending: PendingMigration): Promise<MigrationResult> {
    const result = await migrateContacts(
      this.runtime,
      publishedTarget(this.runtime.catalog, pending.journey, pending.migrate, pending.version),
    );
    const done = (m: PendingMigration) => m.journey === pending.journey && m.version === pending.version;
    await this.change(
      (d) => ({ ...d, migrations: d.migrations.filter((m) => !done(m)) }),
      () => undefined,
    );
    return result;
  }

  /** Stops new entries into a journey; contacts inside finish on their version. Publishing again revives it. */
  archive(id: string): Promise<void> {
    if (!this.latest(id)) throw new BatonError('not_found', `journey ${id} was never published`);
    return this.change(
      (d) => ({ ...d, archived: [...new Set([...d.archived, id])] }),
      () => this.runtime.catalog.archive(id),
    );
  }

  /**
   * Replaces the team. Refused when it is malformed or when a live journey would no longer validate
   * against it (a route naming a rep that is gone), with every problem named.
   */
  setTeam(raw: unknown): Promise<Team> {
    const team = parseInput(Team, raw, 'team');
    const problems: ValidationError[] = [];
    for (const id of new Set(this.data.journeys.map((j) => j.id))) {
      if (this.isArchived(id)) continue;
      for (const e of validateJourney(this.latest(id)!.definition, team, { stored: true }).errors)
        problems.push({ ...e, message: `journey ${id}: ${e.message}` });
    }
    if (problems.length > 0) throw new InputInvalidError(problems, 'team (live journeys would break)');
    return this.change(
      (d) => ({ ...d, team }),
      () => {
        this.runtime.team = team;
        return team;
      },
    );
  }

  /** Issues an API token for a role (a rep token is bound to a rep of the team). */
  createToken(input: {
    role: ApiToken['role'];
    rep?: string | undefined;
    name?: string | undefined;
  }): Promise<ApiToken> {
    if (input.role === 'rep' && !this.data.team.reps.some((r) => r.id === input.rep)) {
      throw new InputInvalidError(
        [
          {
            path: '$.rep',
            node: null,
            message: `a rep token needs the id of a rep of the team; "${input.rep ?? ''}" is not one`,
          },
        ],
        'token',
      );
    }
    const token: ApiToken = {
      id: `tok_${randomBytes(6).toString('hex')}`,
      token: `bt_${randomBytes(24).toString('base64url')}`,
      role: input.role,
      ...(input.role === 'rep' ? { rep: input.rep } : {}),
      name: input.name ?? input.rep ?? input.role,
      createdAt: new Date(this.clock.now()).toISOString(),
    };
    return this.change(
      (d) => ({ ...d, tokens: [...d.tokens, token] }),
      () => token,
    );
  }

  /** Revokes a token. */
  revokeToken(id: string): Promise<void> {
    if (!this.data.tokens.some((t) => t.id === id)) throw new BatonError('not_found', `no token ${id}`);
    return this.change(
      (d) => ({ ...d, tokens: d.tokens.filter((t) => t.id !== id) }),
      () => undefined,
    );
  }

  /** Replaces the secret inbound webhooks are signed with; the old one stops working at once. */
  rotateInboundSecret(): Promise<string> {
    const secret = signingSecret();
    return this.change(
      (d) => ({ ...d, inboundSecret: secret }),
      () => secret,
    );
  }

  /** Adds a webhook endpoint with its own signing secret. */
  addWebhook(input: { url: string; events?: string[] | undefined }): Promise<WebhookEndpoint> {
    const endpoint: WebhookEndpoint = {
      id: `ep_${randomBytes(6).toString('hex')}`,
      url: input.url,
      secret: `whsec_${randomBytes(24).toString('base64')}`,
      events: input.events ?? null,
      disabled: null,
      createdAt: new Date(this.clock.now()).toISOString(),
    };
    return this.change(
      (d) => ({ ...d, webhooks: [...d.webhooks, endpoint] }),
      () => endpoint,
    );
  }

  /** Changes a webhook endpoint (enable again after a 410, say). */
  updateWebhook(
    id: string,
    change: Partial<Pick<WebhookEndpoint, 'disabled' | 'url' | 'events'>>,
  ): Promise<WebhookEndpoint> {
    const current = this.data.webhooks.find((w) => w.id === id);
    if (!current) throw new BatonError('not_found', `no webhook endpoint ${id}`);
    const next = { ...current, ...change };
    return this.change(
      (d) => ({ ...d, webhooks: d.webhooks.map((w) => (w.id === id ? next : w)) }),
      () => next,
    );
  }

  removeWebhook(id: string): Promise<void> {
    if (!this.data.webhooks.some((w) => w.id === id)) throw new BatonError('not_found', `no webhook endpoint ${id}`);
    return this.change(
      (d) => ({ ...d, webhooks: d.webhooks.filter((w) => w.id !== id) }),
      () => undefined,
    );
  }

  /**
   * Takes in configuration another process wrote (PostgreSQL): new journey versions go live, archived
   * journeys stop taking entries, the team and the rest are swapped in. Runs in turn with this process's
   * own changes, so one of its own is never applied twice. Answers the ids of the tokens another process
   * revoked, for this process to end their live streams at once too.
   */
  reload(): Promise<string[]> {
    const run = this.writing.then(async () => {
      const next = await this.file.read();
      if (!next) return [];
      const revoked = this.data.tokens.filter((t) => !next.tokens.some((n) => n.id === t.id)).map((t) => t.id);
      const known = new Set(this.data.journeys.map((j) => `${j.version}:${j.id}`));
      for (const j of [...next.journeys].sort((a, b) => a.version - b.version)) {
        if (!known.has(`${j.version}:${j.id}`)) this.runtime.catalog.publish(j.definition, next.team);
      }
      for (const id of next.archived) if (!this.data.archived.includes(id)) this.runtime.catalog.archive(id);
      this.runtime.team = next.team;
      Object.assign(this.data, next);
      return revoked;
    });
    this.writing = run.catch(() => undefined);
    return run;
  }

  /** Writes the next configuration durably, then swaps it in and applies it; changes run one at a time. */
  private change<T>(next: (current: ServerConfig) => ServerConfig, apply: () => T): Promise<T> {
    const run = this.writing.then(async () => {
      const updated = next(this.data);
      await this.file.write(updated);
      Object.assign(this.data, updated);
      return apply();
    });
    this.writing = run.catch(() => undefined);
    return run;
  }
}
