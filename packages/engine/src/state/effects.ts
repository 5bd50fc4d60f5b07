import type { Millis } from '../model/time.ts';

/** A message to send, or a record that it was suppressed. */
export interface MessageEffect {
  type: 'message';
  channel: 'email' | 'sms';
  contactId: string;
  journeyId: string;
  node: string;
  params: Record<string, unknown>;
  suppressed: boolean;
  at: Millis;
}

/** A webhook action: `params` posted with the contact and the journey to `url`. */
export interface WebhookEffect {
  type: 'webhook';
  url: string;
  body: {
    contact: { id: string; traits: Record<string, unknown> };
    journey: { id: string; version: number; node: string };
    params: Record<string, unknown>;
  };
  at: Millis;
}

/** A notification to a rep (or the contact's owner). */
export interface NotifyEffect {
  type: 'notify';
  to: string;
  contactId: string;
  journeyId: string;
  node: string;
  params: Record<string, unknown>;
  at: Millis;
}

/** A journey or system event: goes onto the contact's timeline and to webhooks. */
export interface EmittedEvent {
  type: 'event';
  name: string;
  contactId: string;
  properties: Record<string, unknown>;
  at: Millis;
}

/** What a step asks the outside world to do, persisted in the same unit as the state (an outbox). */
export type Effect = MessageEffect | WebhookEffect | NotifyEffect | EmittedEvent;

/** Facts a step reports for counters and reports; not delivered anywhere. */
export type JournalEntry =
  | { kind: 'entered'; journeyId: string; version: number; contactId: string; run: number; at: Millis }
  | { kind: 'node'; journeyId: string; version: number; node: string; contactId: string; at: Millis }
  | {
      kind: 'exited';
      journeyId: string;
      version: number;
      node: string | null;
      contactId: string;
      outcome: string;
      at: Millis;
    };
