import type { Transport } from '../../shared/transport';

/**
 * The one client the app talks through. Set once at start-up (main.tsx) from `pickTransport()`;
 * stores and views never know which transport it is.
 */
let current: Transport | null = null;

export function setTransport(transport: Transport): void {
  current = transport;
}

export function getTransport(): Transport {
  if (!current) throw new Error('No transport: setTransport() runs before the app renders.');
  return current;
}
