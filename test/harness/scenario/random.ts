/**
 * Deterministic pseudo-randomness for the scenario. Everything is integer hashing (Math.imul, >>>), so the
 * same (seed, key, index) gives the same number on every platform and Node version.
 */

/** FNV-1a, 32 bit. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** murmur3's 32-bit finaliser. */
export function mix32(value: number): number {
  let a = value | 0;
  a ^= a >>> 16;
  a = Math.imul(a, 0x85ebca6b);
  a ^= a >>> 13;
  a = Math.imul(a, 0xc2b2ae35);
  a ^= a >>> 16;
  return a >>> 0;
}

/** A uniform number in [0, 1) for (seed, key hash, index). */
export function unitNoise(seed: number, keyHash: number, index: number): number {
  const a = mix32((seed ^ keyHash) >>> 0);
  return (
    mix32((a + Math.imul(index | 0, 0x9e3779b1) + Math.imul((index / 0x100000000) | 0, 0x85ebca77)) | 0) /
    0x100000000
  );
}

/** A uniform number in [-1, 1). */
export function signedNoise(seed: number, keyHash: number, index: number): number {
  return unitNoise(seed, keyHash, index) * 2 - 1;
}

/** A small seeded generator (mulberry32) for names and identifiers. */
export function rng(seed: number, key: string): () => number {
  let state = mix32((seed ^ hashString(key)) >>> 0);
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x100000000;
  };
}

export function pick(next: () => number, alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[Math.floor(next() * alphabet.length)];
  return out;
}

/** The alphabet Kubernetes uses for pod-template-hash and generated name suffixes. */
export const KUBE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
export const HEX = '0123456789abcdef';

/** Standard normal CDF (Abramowitz & Stegun 7.1.26 erf approximation, |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly =
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t;
  const erf = 1 - poly * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** P(X <= x) for a log-normal latency with the given median and sigma (of ln X). */
export function logNormalCdf(x: number, median: number, sigma: number): number {
  if (!Number.isFinite(x)) return 1;
  if (x <= 0) return 0;
  return normalCdf(Math.log(x / median) / sigma);
}
