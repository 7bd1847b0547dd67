/**
 * Fuzzy ranking for the command palette: every word of the query must appear, letter by letter in order
 * (`rb 70b` finds "Roll back llama-70b-chat…"), and a match that starts words and runs together ranks first.
 * Pure, so its order is unit-tested.
 */

export interface Rankable {
  title: string;
  /** other words that find it (namespace, kind, a view's aliases); matched after the title */
  keywords?: string;
}

/** Where a word starts: the text's start, or after a space or one of `-_/.:(` */
const isBoundary = (text: string, i: number) => i === 0 || /[\s\-_/.:(]/.test(text[i - 1]!);

/**
 * How well one query word matches `text` (lower case both): null = not every letter is there in order.
 * Higher is better: letters that run together and letters at word starts score most, gaps cost a little.
 */
export function wordScore(word: string, text: string): number | null {
  if (!word) return 0;
  // the best case first: the word itself, at a word start
  const at = text.indexOf(word);
  if (at >= 0) return 100 + word.length * 10 + (isBoundary(text, at) ? 50 : 0) + (at === 0 ? 25 : 0);
  // jumping to word starts can skip letters a later one needs: then the plain left-to-right match decides
  return lettersScore(word, text, true) ?? lettersScore(word, text, false);
}

function lettersScore(word: string, text: string, preferStarts: boolean): number | null {
  let score = 0;
  let prev = -2;
  for (const ch of word) {
    let i = text.indexOf(ch, prev + 1);
    if (i < 0) return null;
    if (preferStarts && i !== prev + 1 && !isBoundary(text, i)) {
      for (let j = text.indexOf(ch, i + 1); j >= 0; j = text.indexOf(ch, j + 1))
        if (isBoundary(text, j)) {
          i = j;
          break;
        }
    }
    score += i === prev + 1 ? 8 : isBoundary(text, i) ? 6 : 1;
    if (prev >= 0 && i !== prev + 1) score -= Math.min(3, i - prev - 1);
    prev = i;
  }
  return score;
}

/** The score of an item for a query (null = no match); the title counts fully, keywords at half. */
export function commandScore(query: string, item: Rankable): number | null {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return 0;
  const title = item.title.toLowerCase();
  const keywords = (item.keywords ?? '').toLowerCase();
  let total = 0;
  for (const w of words) {
    const t = wordScore(w, title);
    const k = keywords ? wordScore(w, keywords) : null;
    if (t === null && k === null) return null;
    total += Math.max(t ?? -Infinity, k === null ? -Infinity : k / 2);
  }
  // a shorter title with the same letters is the closer match
  return total - title.length / 100;
}

/** The items matching `query`, best first; ties (and an empty query) keep the given order. */
export function rankCommands<T extends Rankable>(items: readonly T[], query: string, limit = 60): T[] {
  if (!query.trim()) return items.slice(0, limit);
  const scored: Array<{ item: T; score: number; index: number }> = [];
  items.forEach((item, index) => {
    const score = commandScore(query, item);
    if (score !== null) scored.push({ item, score, index });
  });
  scored.sort((a, b) => b.score - a.score || a.index - b.index);
  return scored.slice(0, limit).map((s) => s.item);
}
