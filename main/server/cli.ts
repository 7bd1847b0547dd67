import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { storePathFor } from '../store';
import { startServe } from './index';

/** Where Electron keeps userData for "Firebreak" on each OS, so serve and the desktop app share a profile. */
function userDataDir(): string {
  if (process.platform === 'darwin')
    return path.join(os.homedir(), 'Library', 'Application Support', 'Firebreak');
  if (process.platform === 'win32')
    return path.join(process.env.APPDATA ?? path.join(os.homedir(), 'AppData', 'Roaming'), 'Firebreak');
  return path.join(process.env.XDG_CONFIG_HOME ?? path.join(os.homedir(), '.config'), 'Firebreak');
}

async function main() {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '4780' },
      profile: { type: 'string', default: 'default' },
      store: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(
      'Usage: npm run serve -- [--host 127.0.0.1] [--port 4780] [--profile default] [--store FILE]',
    );
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be 0-65535, got ${values.port}`);
  const loopback = ['127.0.0.1', 'localhost', '::1'].includes(values.host);
  if (!loopback) {
    console.warn(
      `WARNING: serving on ${values.host}, not loopback: anyone who can reach it and has the token can act on your clusters.`,
    );
  }
  const pkg = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  const storePath = values.store ?? storePathFor(userDataDir(), values.profile);
  const serve = await startServe({ storePath, host: values.host, port, version: pkg.version });
  console.log(`Firebreak ${pkg.version} (serve mode)`);
  console.log(`  profile store: ${storePath}`);
  console.log(`  open:          ${serve.openUrl}`);
  console.log('  (the token in the URL changes at every start; Ctrl-C stops)');
  const stop = async () => {
    await serve.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  const e = err as { code?: string; message?: string; hint?: string };
  if (e.code === 'EADDRINUSE')
    console.error('That port is in use: pass another with `npm run serve -- --port N` (0 = any free port).');
  else
    console.error(`Firebreak could not start: ${e.message ?? String(err)}${e.hint ? `\n  ${e.hint}` : ''}`);
  process.exit(1);
});
