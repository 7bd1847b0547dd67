/**
 * Text for the postmortem: everything that came from a cluster, an alert or a person is untrusted, and is made
 * inert for where it lands (a Markdown table cell, an SVG text node, a Mermaid label, a CSV field), with its
 * invisible and bidi characters shown as markers. Times are UTC on a 24-hour clock; numbers never depend on the
 * machine's locale.
 */
import { visibleText } from '../../shared/visibleText';

/** One line: breaks and runs of whitespace become one space. */
function oneLine(text: string): string {
  return text.replace(/[\r\n\t\u2028\u2029]+/g, ' ').trim();
}

/**
 * Untrusted text inline in Markdown (a paragraph, a bullet, a table cell): nothing renders as HTML, a link, an
 * image or emphasis, a pipe cannot end a cell, a line break cannot start a heading.
 */
export function md(text: string): string {
  return oneLine(visibleText(text))
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]|~!#]/g, (c) => `\\${c}`);
}

/** Untrusted text in an SVG (XML) text node or attribute. */
export function xml(text: string): string {
  return oneLine(visibleText(text))
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * Text in a Mermaid `timeline` label. Mermaid turns `#<code>;` into the character before it parses, so every
 * character its timeline grammar reads (`:` ends an event, `#` and `%%` start comments, `;`) and every one that
 * could be markup (`<`, `>`, `&`, quotes) is written as such a code.
 */
export function mermaid(text: string, max = 120): string {
  const t = oneLine(visibleText(text));
  const cut = t.length > max ? `${t.slice(0, max - 1)}…` : t;
  return cut.replace(/[#:;%<>&"'`{}[\]\\|=]/g, (c) => `#${c.charCodeAt(0)};`);
}

/** `2026-10-14 17:05:00 UTC` */
export function utc(iso: string | null): string {
  if (!iso) return '—';
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return '—';
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** `17:05:00` (or `2026-10-15 01:02:03` when not on `day`, a `YYYY-MM-DD`) */
export function clock(ms: number, day?: string): string {
  const iso = new Date(ms).toISOString();
  const hms = iso.slice(11, 19);
  return day !== undefined && iso.slice(0, 10) !== day ? `${iso.slice(0, 10)} ${hms}` : hms;
}

/** 12345.6 -> "12,346"; locale-independent. */
export function grouped(n: number): string {
  const r = Math.round(n);
  const s = Math.abs(r)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return r < 0 ? `-${s}` : s;
}

/** A ratio as a percentage: 0.25 -> "25.0%", 0.001 -> "0.10%", 50 -> "5,000%". */
export function percent(ratio: number): string {
  const p = ratio * 100;
  if (!Number.isFinite(p)) return '—';
  if (Math.abs(p) >= 1000) return `${grouped(p)}%`;
  if (Math.abs(p) >= 10) return `${p.toFixed(1)}%`;
  if (Math.abs(p) >= 0.01 || p === 0) return `${p.toFixed(2)}%`;
  return `${p.toPrecision(2)}%`;
}

/** Seconds of latency: 0.42 -> "420 ms", 2.1 -> "2.10 s". */
export function latency(seconds: number): string {
  if (!Number.isFinite(seconds)) return '—';
  if (Math.abs(seconds) < 1) return `${Math.round(seconds * 1000)} ms`;
  return `${seconds.toFixed(2)} s`;
}

/** Requests per second: 120 -> "120/s", 3.456 -> "3.46/s". */
export function rate(reqps: number): string {
  if (!Number.isFinite(reqps)) return '—';
  return Math.abs(reqps) >= 100 ? `${grouped(reqps)}/s` : `${Number(reqps.toFixed(2))}/s`;
}
