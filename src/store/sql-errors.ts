// Recognises database errors by meaning, for both drivers, so callers can turn them into domain errors.

/** The driver's error code: better-sqlite3's SQLITE_… name, or pg's five-character SQLSTATE. */
function codeOf(error: unknown): unknown {
  return (error as { code?: unknown } | null)?.code;
}

/** better-sqlite3: SQLITE_CONSTRAINT_UNIQUE / _PRIMARYKEY; pg: SQLSTATE 23505 (unique_violation). */
export function isUniqueViolation(error: unknown): boolean {
  const code = codeOf(error);
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}

/** better-sqlite3: SQLITE_CONSTRAINT_FOREIGNKEY; pg: SQLSTATE 23503 (foreign_key_violation). */
export function isForeignKeyViolation(error: unknown): boolean {
  const code = codeOf(error);
  return code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === '23503';
}

/**
 * PostgreSQL refused a transaction because of another one running at the same time, and running it again from the
 * start may succeed: a unique violation on a row a concurrent transaction just inserted (23505), a serialization
 * failure (40001) or a deadlock (40P01). SQLite never answers these: its writers take turns (`begin immediate`),
 * so a unique violation there is never a race and is not retried.
 */
export function isConcurrentWriteConflict(error: unknown): boolean {
  const code = codeOf(error);
  return code === '23505' || code === '40001' || code === '40P01';
}
