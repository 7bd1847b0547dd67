/**
 * A real Prometheus (Debian's 2.42) for the sandbox: its TSDB backfilled from the scenario with promtool,
 * scraping the live exporter every 5 s, evaluating the sandbox's alert rules and sending to Alertmanager.
 *
 * promtool 2.42 re-reads the whole input once per 2-hour block, so the history is written as one
 * OpenMetrics file per aligned 2-hour window and converted by up to one promtool per CPU in parallel.
 */
import { mkdir, rm, writeFile, open } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Scenario } from './scenario';
import type { ManagedProcess } from './ports';
import { LOOPBACK, freePort, runCommand, startProcess, waitFor, waitForHttpOk } from './ports';

export const PROMETHEUS_BIN = process.env.FIREBREAK_PROMETHEUS_BIN ?? 'prometheus';
export const PROMTOOL_BIN = process.env.FIREBREAK_PROMTOOL_BIN ?? 'promtool';
export const EXPORTER_JOB = 'firebreak-sandbox-exporter';
export const RUNBOOK_BASE = 'https://runbooks.example.com/firebreak';

const BLOCK_SECONDS = 2 * 3600;

export interface BackfillResult {
  blocks: number;
  seconds: number;
}

/** Writes the scenario's history into `dataDir` as TSDB blocks. */
export async function backfillTsdb(
  scenario: Scenario,
  dataDir: string,
  workDir: string,
): Promise<BackfillResult> {
  const started = performance.now();
  const times = scenario.timestamps();
  const first = Math.floor(times[0]! / BLOCK_SECONDS) * BLOCK_SECONDS;
  const last = times[times.length - 1]!;
  const inputDir = join(workDir, 'openmetrics');
  await mkdir(inputDir, { recursive: true });
  await mkdir(dataDir, { recursive: true });
  const parallel = Math.max(1, Math.min(cpus().length, 4));
  const running = new Set<Promise<void>>();
  let blocks = 0;
  for (let from = first; from <= last; from += BLOCK_SECONDS) {
    const file = join(inputDir, `${from}.om`);
    const handle = await open(file, 'w');
    try {
      for (const chunk of scenario.openMetrics({ from, to: from + BLOCK_SECONDS })) await handle.write(chunk);
    } finally {
      await handle.close();
    }
    while (running.size >= parallel) await Promise.race(running);
    const job: Promise<void> = runCommand(PROMTOOL_BIN, [
      'tsdb',
      'create-blocks-from',
      'openmetrics',
      file,
      dataDir,
    ])
      .then(() => rm(file, { force: true }))
      .finally(() => running.delete(job));
    running.add(job);
    blocks++;
  }
  await Promise.all(running);
  await rm(inputDir, { recursive: true, force: true });
  return { blocks, seconds: (performance.now() - started) / 1000 };
}

const modelFromPod = (expr: string) => `label_replace(${expr}, "model", "$1", "pod", "(.+)-[^-]+-[^-]+")`;
const byModel = (expr: string) => `sum by (namespace, model) (${expr})`;

/**
 * Error ratio per model service (label `model` = the workload's name, `namespace`), one expression per
 * model-server kind, recorded as `model:request_error_ratio:rate2m`.
 */
export const ERROR_RATIO_RULES: ReadonlyArray<{ server: string; expr: string }> = [
  {
    server: 'vllm',
    expr: `${byModel(modelFromPod('rate(http_requests_total{handler="/v1/chat/completions",status="5xx"}[2m])'))}
  / ${byModel(modelFromPod('rate(http_requests_total{handler="/v1/chat/completions"}[2m])'))}`,
  },
  {
    server: 'triton',
    expr: `${byModel(modelFromPod('rate(nv_inference_request_failure[2m])'))}
  / ${byModel(modelFromPod('(rate(nv_inference_request_success[2m]) + rate(nv_inference_request_failure[2m]))'))}`,
  },
  {
    server: 'kserve',
    expr: `${byModel('label_replace(rate(revision_request_count{response_code_class="5xx"}[2m]), "model", "$1", "revision_name", "(.+)-predictor-[0-9]+")')}
  / ${byModel('label_replace(rate(revision_request_count[2m]), "model", "$1", "revision_name", "(.+)-predictor-[0-9]+")')}`,
  },
  {
    server: 'mlserver',
    expr: `${byModel(modelFromPod('rate(model_infer_request_failure[2m])'))}
  / ${byModel(modelFromPod('(rate(model_infer_request_success[2m]) + rate(model_infer_request_failure[2m]))'))}`,
  },
];

export interface RuleOptions {
  /** `for:` of the alerts, a Prometheus duration; default '1m'. */
  alertFor?: string;
  /** Rule evaluation interval, seconds; default 5. */
  evaluationIntervalSeconds?: number;
}

/** The rule file (YAML): the error-ratio recording rules, ModelHighErrorRate and GPUIdle. */
export function alertRulesYaml(opts: RuleOptions = {}): string {
  const alertFor = opts.alertFor ?? '1m';
  const interval = `${opts.evaluationIntervalSeconds ?? 5}s`;
  const idle = (podLabel: string) => `max_over_time(DCGM_FI_DEV_GPU_UTIL{${podLabel}!=""}[10m]) < 5`;
  return stringify({
    groups: [
      {
        name: 'firebreak-models',
        interval,
        rules: [
          ...ERROR_RATIO_RULES.map((r) => ({
            record: 'model:request_error_ratio:rate2m',
            expr: r.expr,
            labels: { server: r.server },
          })),
          {
            alert: 'ModelHighErrorRate',
            expr: 'model:request_error_ratio:rate2m > 0.05',
            for: alertFor,
            labels: { severity: 'critical' },
            annotations: {
              summary: 'Model {{ $labels.model }} is failing {{ $value | humanizePercentage }} of requests',
              description:
                'More than 5% of the requests to {{ $labels.model }} ({{ $labels.server }}, namespace {{ $labels.namespace }}) have failed over the last 2 minutes: {{ $value | humanizePercentage }}.',
              runbook_url: `${RUNBOOK_BASE}/model-high-error-rate`,
            },
          },
        ],
      },
      {
        name: 'firebreak-gpus',
        interval,
        rules: [
          {
            alert: 'GPUIdle',
            expr: `${idle('pod')}
or label_replace(label_replace(${idle('exported_pod')}, "pod", "$1", "exported_pod", "(.+)"), "namespace", "$1", "exported_namespace", "(.+)")`,
            for: alertFor,
            labels: { severity: 'warning' },
            annotations: {
              summary:
                'GPU {{ $labels.gpu }} on {{ $labels.Hostname }} is allocated to {{ $labels.namespace }}/{{ $labels.pod }} but idle',
              description:
                'GPU {{ $labels.gpu }} ({{ $labels.modelName }}, {{ $labels.UUID }}) on {{ $labels.Hostname }} has stayed under 5% utilisation for 10 minutes while allocated to pod {{ $labels.pod }}.',
              runbook_url: `${RUNBOOK_BASE}/gpu-idle`,
            },
          },
        ],
      },
    ],
  });
}

export interface PrometheusConfigOptions {
  /** host:port of the live exporter. */
  exporterTarget: string;
  /** host:port of Alertmanager, if any. */
  alertmanagerTarget?: string;
  scrapeIntervalSeconds?: number;
  evaluationIntervalSeconds?: number;
  ruleFile: string;
}

export function prometheusConfigYaml(opts: PrometheusConfigOptions): string {
  const scrape = `${opts.scrapeIntervalSeconds ?? 5}s`;
  return stringify({
    global: {
      scrape_interval: scrape,
      scrape_timeout: scrape,
      evaluation_interval: `${opts.evaluationIntervalSeconds ?? 5}s`,
      external_labels: { cluster: 'firebreak-sandbox' },
    },
    rule_files: [opts.ruleFile],
    ...(opts.alertmanagerTarget
      ? {
          alerting: {
            alertmanagers: [{ api_version: 'v2', static_configs: [{ targets: [opts.alertmanagerTarget] }] }],
          },
        }
      : {}),
    scrape_configs: [
      {
        job_name: EXPORTER_JOB,
        honor_labels: true,
        static_configs: [{ targets: [opts.exporterTarget] }],
      },
    ],
  });
}

export interface StartPrometheusOptions extends RuleOptions {
  scenario: Scenario;
  /** Working folder (config, rules, data/). */
  dir: string;
  exporterTarget: string;
  alertmanagerTarget?: string;
  port?: number;
  scrapeIntervalSeconds?: number;
  /** Already backfilled data folder (default: backfill into dir/data now). */
  skipBackfill?: boolean;
  /** A folder to remove if this process dies without stopping Prometheus (a temporary sandbox folder). */
  removeOnOrphan?: string;
}

export interface PrometheusServer {
  url: string;
  port: number;
  dataDir: string;
  backfill: BackfillResult | null;
  process: ManagedProcess;
  /** POST /-/reload (the lifecycle API is on). */
  reload(): Promise<void>;
  stop(): Promise<void>;
}

/** Backfills (unless told not to), starts Prometheus and waits until it is ready and answers for the history. */
export async function startPrometheus(opts: StartPrometheusOptions): Promise<PrometheusServer> {
  const dataDir = join(opts.dir, 'data');
  const backfill = opts.skipBackfill ? null : await backfillTsdb(opts.scenario, dataDir, opts.dir);
  const ruleFile = join(opts.dir, 'rules.yml');
  const configFile = join(opts.dir, 'prometheus.yml');
  await writeFile(ruleFile, alertRulesYaml(opts));
  await writeFile(
    configFile,
    prometheusConfigYaml({
      exporterTarget: opts.exporterTarget,
      alertmanagerTarget: opts.alertmanagerTarget,
      scrapeIntervalSeconds: opts.scrapeIntervalSeconds,
      evaluationIntervalSeconds: opts.evaluationIntervalSeconds,
      ruleFile,
    }),
  );
  const port = opts.port ?? (await freePort());
  const retentionDays = Math.ceil(opts.scenario.historyHours / 24) + 30;
  const proc = startProcess(
    PROMETHEUS_BIN,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${dataDir}`,
      `--storage.tsdb.retention.time=${retentionDays}d`,
      `--web.listen-address=${LOOPBACK}:${port}`,
      '--web.enable-lifecycle',
      '--log.level=warn',
    ],
    { name: 'prometheus', cwd: opts.dir, watchdogRemoves: opts.removeOnOrphan },
  );
  const url = `http://${LOOPBACK}:${port}`;
  const abort = () => {
    const code = proc.exitCode();
    return code !== undefined ? `prometheus exited (${code}):\n${proc.output()}` : undefined;
  };
  try {
    await waitForHttpOk(`${url}/-/ready`, { what: 'Prometheus /-/ready', timeoutMs: 30_000, abort });
    // the backfilled history answers: every GPU at the last backfilled timestamp
    const at = opts.scenario.now.getTime() / 1000;
    await waitFor(
      async () => {
        const res = await fetch(
          `${url}/api/v1/query?query=${encodeURIComponent('count(DCGM_FI_DEV_GPU_UTIL)')}&time=${at}`,
        );
        const body = (await res.json()) as { data?: { result?: Array<{ value: [number, string] }> } };
        const count = Number(body.data?.result?.[0]?.value[1] ?? 0);
        return count >= opts.scenario.gpus.length ? true : undefined;
      },
      { what: 'the backfilled history in Prometheus', timeoutMs: 30_000, abort },
    );
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return {
    url,
    port,
    dataDir,
    backfill,
    process: proc,
    async reload() {
      const res = await fetch(`${url}/-/reload`, { method: 'POST' });
      if (!res.ok) throw new Error(`Prometheus reload: HTTP ${res.status} ${await res.text()}`);
    },
    stop: () => proc.stop(),
  };
}
