// The event outbox: Event Grid-shaped events recorded by the step that caused them and delivered later. Event ids
// are idempotency keys, so a step that is retried after a crash records its event once.
import { createHash } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { Db } from './open.js';
import type { EventOutboxTable } from './schema.js';

/** One event as Event Grid carries it; `data` is Azure's PascalCase object (Id, VaultName, ObjectType, …). */
export interface OutboxEvent {
  id: string;
  vaultId: string;
  /** e.g. 'Microsoft.KeyVault.KeyNearExpiry' */
  eventType: string;
  /** The object name. */
  subject: string;
  data: Record<string, unknown>;
  createdAt: number;
  deliveredAt: number | null;
}

export interface EventOutbox {
  /** Records an event; false when an event with this id is already recorded (nothing changes then). */
  append(event: Omit<OutboxEvent, 'deliveredAt'>): Promise<boolean>;
  /** A vault's events, oldest first. */
  list(vaultId: string): Promise<OutboxEvent[]>;
}

export function createEventOutbox(db: Db): EventOutbox {
  return {
    async append(event) {
      const result = await db
        .insertInto('event_outbox')
        .values({
          id: event.id,
          vault_id: event.vaultId,
          event_type: event.eventType,
          subject: event.subject,
          data: JSON.stringify(event.data),
          created_at: event.createdAt,
          delivered_at: null,
        })
        .onConflict((conflict) => conflict.column('id').doNothing())
        .executeTakeFirst();
      return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
    },

    async list(vaultId) {
      const rows = await db.selectFrom('event_outbox').selectAll().where('vault_id', '=', vaultId).orderBy('created_at').orderBy('id').execute();
      return rows.map(toEvent);
    },
  };
}

function toEvent(row: Selectable<EventOutboxTable>): OutboxEvent {
  return {
    id: row.id,
    vaultId: row.vault_id,
    eventType: row.event_type,
    subject: row.subject,
    data: JSON.parse(row.data) as Record<string, unknown>,
    createdAt: Number(row.created_at),
    deliveredAt: row.delivered_at === null ? null : Number(row.delivered_at),
  };
}

/**
 * An event id derived from what the event is about (type, vault, object, version), so recording the same event
 * twice — a retried scheduler step — keeps one. UUID-shaped, as Event Grid ids are.
 */
export function outboxEventId(...parts: string[]): string {
  const hex = createHash('sha256').update(parts.join('\n')).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
