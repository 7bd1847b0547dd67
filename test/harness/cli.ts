/**
 * `npm run sandbox`: starts the sandbox in the foreground and prints where everything is; Ctrl-C stops it.
 *
 *   npm run sandbox -- [--dir PATH] [--seed N] [--hours H] [--no-cost-explorer] [--alert-for 1m]
 */
import { parseArgs } from 'node:util';
import { startSandbox, SANDBOX_CONTEXT, type Sandbox } from './index';

const { values } = parseArgs({
  options: {
    dir: { type: 'string' },
    seed: { type: 'string' },
    hours: { type: 'string' },
    'alert-for': { type: 'string' },
    'no-cost-explorer': { type: 'boolean', default: false },
    quiet: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
  allowPositionals: false,
});

if (values.help) {
  console.log(
    'npm run sandbox -- [--dir PATH] [--seed N] [--hours H] [--alert-for 1m] [--no-cost-explorer] [--quiet]',
  );
  process.exit(0);
}

const number = (name: string, text: string | undefined): number | undefined => {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n)) {
    console.error(`--${name} must be a number, got ${JSON.stringify(text)}`);
    process.exit(2);
  }
  return n;
};

let sandbox: Sandbox | undefined;
let stopping = false;

function onSignal(signal: string): void {
  if (!sandbox) {
    // still starting: exiting runs the harness' exit hook, which kills the children and removes temporary data
    console.log(`\n${signal} during start-up: exiting.`);
    process.exit(130);
  }
  if (stopping) {
    console.log('Already stopping…');
    return;
  }
  stopping = true;
  console.log(`\n${signal}: stopping the sandbox…`);
  sandbox.stop().then(
    () => {
      console.log('Stopped.');
      process.exit(0);
    },
    (err: unknown) => {
      console.error('Stopping failed:', err);
      process.exit(1);
    },
  );
}

async function main(): Promise<void> {
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  console.log('Starting the Firebreak sandbox (Kubernetes API, Prometheus, Alertmanager, Cost Explorer)…');
  sandbox = await startSandbox({
    dir: values.dir,
    seed: number('seed', values.seed),
    historyHours: number('hours', values.hours),
    alertFor: values['alert-for'],
    withCostExplorer: !values['no-cost-explorer'],
    handleSignals: false,
    log: values.quiet ? undefined : (line) => console.log(`  ${line}`),
  });
  const s = sandbox.scenario;
  console.log(`
Sandbox ready in ${sandbox.timings.total} s (seed ${s.seed}, story "now" ${s.now.toISOString()}).

  kubeconfig       ${sandbox.kubeconfigPath}   (context ${SANDBOX_CONTEXT})
  Kubernetes API   ${sandbox.kubeApiUrl}
  Prometheus       ${sandbox.prometheusUrl}
  Alertmanager     ${sandbox.alertmanagerUrl}
  Cost Explorer    ${sandbox.costExplorerUrl ?? '(not started)'}${
    sandbox.costExplorer
      ? `   (access key ${sandbox.costExplorer.credentials.accessKeyId}, secret ${sandbox.costExplorer.credentials.secretAccessKey}, region us-east-1)`
      : ''
  }

  The incident: ${s.incident.model} (namespace ${s.incident.namespace}) rolled to ${s.incident.badImage} at ${s.incident.startsAt.toISOString()};
  about ${Math.round(s.incident.errorRatio * 100)} % of its requests fail until it is rolled back or its traffic is routed to llama-8b-chat (HTTPRoute ${s.route.namespace}/${s.route.name}).

Next: in another terminal run \`npm run serve\`, then in Settings pick context ${SANDBOX_CONTEXT} from
${sandbox.kubeconfigPath} and set the Prometheus URL to ${sandbox.prometheusUrl} (Alertmanager ${sandbox.alertmanagerUrl}).
  e.g.  KUBECONFIG=${sandbox.kubeconfigPath} kubectl --context ${SANDBOX_CONTEXT} -n llm rollout history deployment/llama-70b-chat${
    sandbox.costExplorer
      ? `
For Cost Explorer, start the console with the test credentials in its environment:
  AWS_ACCESS_KEY_ID=${sandbox.costExplorer.credentials.accessKeyId} AWS_SECRET_ACCESS_KEY=${sandbox.costExplorer.credentials.secretAccessKey} AWS_REGION=us-east-1 npm run serve
then in Cost > Sources turn Cost Explorer on (no profile) with the endpoint ${sandbox.costExplorerUrl ?? ''}.`
      : ''
  }

Ctrl-C stops everything${values.dir ? ` (data stays in ${sandbox.dir})` : ''}.`);
}

main().catch((err: unknown) => {
  console.error('The sandbox did not start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
