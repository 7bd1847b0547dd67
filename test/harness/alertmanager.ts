/**
 * A real Alertmanager (Debian's `prometheus-alertmanager`, or `alertmanager` elsewhere) on a free loopback
 * port, clustering off, with one route to a receiver that notifies nobody: alerts are visible through
 * its API v2 (`GET /api/v2/alerts`).
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { stringify } from 'yaml';
import type { ManagedProcess } from './ports';
import { LOOPBACK, freePort, startProcess, waitForHttpOk } from './ports';

/** The binary: $FIREBREAK_ALERTMANAGER_BIN, else `prometheus-alertmanager` (Debian) or `alertmanager` on PATH. */
export function alertmanagerBinary(): string {
  if (process.env.FIREBREAK_ALERTMANAGER_BIN) return process.env.FIREBREAK_ALERTMANAGER_BIN;
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const name of ['prometheus-alertmanager', 'alertmanager']) {
    if (dirs.some((d) => existsSync(join(d, name)))) return name;
  }
  return 'prometheus-alertmanager';
}

export function alertmanagerConfigYaml(): string {
  return stringify({
    route: {
      receiver: 'sandbox',
      group_by: ['alertname', 'namespace', 'model'],
      group_wait: '5s',
      group_interval: '30s',
      repeat_interval: '4h',
    },
    receivers: [{ name: 'sandbox' }],
  });
}

export interface AlertmanagerServer {
  url: string;
  port: number;
  /** host:port, for Prometheus' alerting config. */
  target: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

export async function startAlertmanager(opts: {
  dir: string;
  port?: number;
  removeOnOrphan?: string;
}): Promise<AlertmanagerServer> {
  await mkdir(join(opts.dir, 'data'), { recursive: true });
  const configFile = join(opts.dir, 'alertmanager.yml');
  await writeFile(configFile, alertmanagerConfigYaml());
  const port = opts.port ?? (await freePort());
  const proc = startProcess(
    alertmanagerBinary(),
    [
      `--config.file=${configFile}`,
      `--storage.path=${join(opts.dir, 'data')}`,
      `--web.listen-address=${LOOPBACK}:${port}`,
      // empty: no cluster (no gossip port, no peers)
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    { name: 'alertmanager', cwd: opts.dir, watchdogRemoves: opts.removeOnOrphan },
  );
  const url = `http://${LOOPBACK}:${port}`;
  try {
    await waitForHttpOk(`${url}/-/ready`, {
      what: 'Alertmanager /-/ready',
      timeoutMs: 20_000,
      abort: () => {
        const code = proc.exitCode();
        return code !== undefined ? `alertmanager exited (${code}):\n${proc.output()}` : undefined;
      },
    });
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return { url, port, target: `${LOOPBACK}:${port}`, process: proc, stop: () => proc.stop() };
}
