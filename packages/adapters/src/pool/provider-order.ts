/** What ordering needs of a pool entry. */
export interface Ranked {
  /** Lower is tried first. */
  priority: number;
  /** Relative share among entries of the same priority. */
  weight: number;
}

/**
 * Orders entries as DNS SRV orders targets (RFC 2782, "Usage rules"): by ascending priority, and within a priority by
 * repeated weighted random choice, so weight 3 leads three times as often as weight 1. Zero-weight entries come last
 * in their priority. `random` returns [0, 1).
 */
export function orderByPriorityAndWeight<Entry extends Ranked>(
  entries: readonly Entry[],
  random: () => number,
): Entry[] {
  const priorities = [...new Set(entries.map((entry) => entry.priority))].sort((a, b) => a - b);
  return priorities.flatMap((priority) => {
    const group = entries.filter((entry) => entry.priority === priority);
    const weighted = group.filter((entry) => entry.weight > 0);
    const ordered: Entry[] = [];
    while (weighted.length > 0) ordered.push(...weighted.splice(pickWeighted(weighted, random), 1));
    return [...ordered, ...group.filter((entry) => entry.weight === 0)];
  });
}

/** The index of a weighted random choice: entry i with probability weight_i / Σ weight. */
function pickWeighted(entries: readonly Ranked[], random: () => number): number {
  let remaining = random() * entries.reduce((sum, entry) => sum + entry.weight, 0);
  for (const [index, entry] of entries.entries()) {
    remaining -= entry.weight;
    if (remaining < 0) return index;
  }
  return entries.length - 1;
}
