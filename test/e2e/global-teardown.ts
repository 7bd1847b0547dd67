import fs from 'node:fs';
import { envFile } from './env';

const handleKey = Symbol.for('firebreak.e2e.running');

/** Stops what global-setup started (the sandbox's servers and the serve servers), and forgets their tokens. */
export default async function globalTeardown(): Promise<void> {
  const running = (globalThis as typeof globalThis & { [handleKey]?: { stop(): Promise<void> } })[handleKey];
  await running?.stop();
  fs.rmSync(envFile, { force: true });
}
