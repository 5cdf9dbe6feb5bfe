/**
 * The record as JSON that reads back whole. Plain `JSON.stringify` writes ±Infinity and NaN as `null` (DPM-Solver's
 * `lambda_min_clipped` is `-Infinity` by default), so a non-finite number is written in MongoDB Extended JSON v2's
 * canonical form, `{"$numberDouble": "-Infinity"}`, which is still standard JSON; `parseRecordJson` turns it back.
 */
const NON_FINITE_KEY = '$numberDouble';
const NON_FINITE: Record<string, number> = {
  Infinity: Number.POSITIVE_INFINITY,
  '-Infinity': Number.NEGATIVE_INFINITY,
  NaN: Number.NaN,
};

export function stringifyRecordJson(value: unknown): string {
  return JSON.stringify(value, (_, item) =>
    typeof item === 'number' && !Number.isFinite(item) ? { [NON_FINITE_KEY]: String(item) } : item,
  );
}

/** `JSON.parse` with the reviver for `stringifyRecordJson`'s non-finite numbers. */
export function parseRecordJson(text: string): unknown {
  return JSON.parse(text, (_, item) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return item;
    const keys = Object.keys(item);
    const tagged = keys.length === 1 && keys[0] === NON_FINITE_KEY && item[NON_FINITE_KEY] in NON_FINITE;
    return tagged ? NON_FINITE[item[NON_FINITE_KEY]] : item;
  });
}
