// Queries compiled once and run with new parameter values. Kysely builds and compiles a query on every call,
// which costs more than SQLite takes to answer a point read (~70 µs against ~20 µs), so the hot paths compile
// theirs at start-up. The SQL stays Kysely's, so it is the same on every dialect.
import type { Compilable, CompiledQuery } from 'kysely';

/**
 * `build` receives one placeholder per parameter and must use each exactly once as a value; the result runs the
 * compiled SQL with the values given in the same order. Compiling with unique sentinel values and locating them
 * in Kysely's parameter list proves the mapping instead of assuming an order.
 */
export function precompile<TRow, TArgs extends unknown[]>(
  arity: TArgs['length'],
  build: (...placeholders: string[]) => Compilable<TRow>,
): (...values: TArgs) => CompiledQuery<TRow> {
  const sentinels = Array.from({ length: arity }, (_, index) => `\u0000precompiled-parameter-${index}\u0000`);
  const template = build(...sentinels).compile();
  const positions = sentinels.map((sentinel) => template.parameters.indexOf(sentinel));
  if (positions.some((position) => position < 0) || template.parameters.length !== arity) {
    throw new Error(`precompiled query does not use each of its ${arity} parameters exactly once: ${template.sql}`);
  }
  return (...values) => {
    const parameters = new Array<unknown>(arity);
    positions.forEach((position, index) => (parameters[position] = values[index]));
    return { ...template, parameters };
  };
}
