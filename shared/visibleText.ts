/**
 * Text from a cluster or a file, made safe to look at: every character that reorders or hides text is shown as
 * a visible marker, `⟨U+202E⟩`. A pod named `report\u202Egnp.exe` then reads `report⟨U+202E⟩gnp.exe`, not
 * `reportexe.png`; `adm\u200Bin` is not `admin`.
 *
 * Marked: bidirectional controls (embeddings, overrides, isolates, LRM/RLM/ALM), default-ignorable characters
 * (zero-width space/joiners, word joiner, BOM, soft hyphen, invisible operators, Hangul fillers, tag
 * characters), line/paragraph separators and control characters other than tab and line breaks. Not marked:
 * variation selectors, which change a glyph's look but cannot reorder or hide text, and a zero-width joiner
 * between two emoji (both are how emoji are written).
 *
 * Display only: the value itself (sent back to the cluster, used as a key) is never changed.
 */
const INVISIBLE = /[\p{Bidi_Control}\p{Default_Ignorable_Code_Point}\p{Cc}\u2028\u2029\uFFF9-\uFFFB]/gu;
// eslint-disable-next-line no-misleading-character-class -- variation selectors, listed on purpose
const KEEP = /^[\t\n\r\uFE00-\uFE0F\u{E0100}-\u{E01EF}]$/u;

// eslint-disable-next-line no-misleading-character-class -- VS16 and skin tones, listed on purpose
const EMOJI_BEFORE = /\p{Extended_Pictographic}[\uFE0F\u{1F3FB}-\u{1F3FF}]?$/u;
const EMOJI_AFTER = /^\p{Extended_Pictographic}/u;

/** A zero-width joiner between two emoji (👨‍👩‍👧) builds one picture and hides no letter: kept. */
function joinsEmoji(text: string, at: number): boolean {
  return (
    EMOJI_BEFORE.test(text.slice(Math.max(0, at - 4), at)) && EMOJI_AFTER.test(text.slice(at + 1, at + 3))
  );
}

/** The marker a character is shown as: `⟨U+202E⟩`. */
export function markerOf(char: string): string {
  const cp = char.codePointAt(0) ?? 0;
  return `⟨U+${cp.toString(16).toUpperCase().padStart(4, '0')}⟩`;
}

/** The text with every bidi control and invisible character shown as a marker (unchanged when it has none). */
export function visibleText(text: string): string {
  INVISIBLE.lastIndex = 0;
  if (!INVISIBLE.test(text)) return text;
  INVISIBLE.lastIndex = 0;
  return text.replace(INVISIBLE, (c, at: number) =>
    KEEP.test(c) || (c === '\u200D' && joinsEmoji(text, at)) ? c : markerOf(c),
  );
}

/** Whether the text holds anything `visibleText` would mark. */
export function hasInvisible(text: string): boolean {
  return visibleText(text) !== text;
}
