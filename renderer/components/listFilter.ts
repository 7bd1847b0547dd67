/**
 * The text filter of a list: every word typed must appear (any case) in one of the texts of a row, so
 * `llm 70b` finds llama-70b-chat in namespace llm. An empty filter keeps every row.
 */
export function matchesFilter(filter: string, texts: ReadonlyArray<string | null | undefined>): boolean {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const hay = texts
    .filter((t): t is string => typeof t === 'string')
    .join('\n')
    .toLowerCase();
  return words.every((w) => hay.includes(w));
}
