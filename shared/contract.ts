/**
 * The contract between renderer and main: the only way they talk.
 * Each channel has an input and an output schema; each stream has a params and an event schema.
 * Types are inferred from the schemas, so a change here is checked on both sides.
 */
import { z } from 'zod';
import {
  AppInfo,
  AuditEntry,
  AuditVerification,
  KubeConnection,
  KubeConnectionList,
  KubeContextList,
  MappingRules,
  MappingRulesView,
  ModelList,
  PrometheusCheck,
  PrometheusSettingsInput,
  SettingsUpdate,
  SettingsView,
} from './domain';
import {
  ActionOutcome,
  ActionRequest,
  PreparedAction,
  RevisionHistory,
  RouteView,
  WorkloadRef,
} from './actions';
import { metricsChannels } from './metrics';
import { costChannels } from './cost';

const empty = z.object({}).strict();

export const channels = {
  'app.info': { input: empty, output: AppInfo },
  'settings.get': { input: empty, output: SettingsView },
  'settings.update': { input: SettingsUpdate.strict(), output: SettingsView },
  'kube.contexts': {
    /** with a path, lists that file's contexts before it is saved (a preview); else the saved kubeconfig's */
    input: z.object({ kubeconfigPath: z.string().trim().min(1).max(4096).optional() }).strict(),
    output: KubeContextList,
  },
  /** every kubeconfig context with its connection status; `probe` checks the ones not connected once */
  'kube.connections': {
    input: z.object({ probe: z.boolean().optional() }).strict(),
    output: KubeConnectionList,
  },
  /** connects (starts its inventory; several may be connected); `makeCurrent` also saves it as the current context */
  'kube.connect': {
    input: z.object({ context: z.string().min(1).max(512), makeCurrent: z.boolean().optional() }).strict(),
    output: KubeConnection,
  },
  'kube.disconnect': {
    input: z.object({ context: z.string().min(1).max(512) }).strict(),
    output: KubeConnectionList,
  },
  'models.list': {
    input: z.object({ context: z.string().min(1).max(512).optional() }).strict(),
    output: ModelList,
  },
  /** which workloads are model services (labels, image patterns), with the defaults */
  'models.mappingRules': { input: empty, output: MappingRulesView },
  /** saves the rules; null = back to the defaults */
  'models.saveMappingRules': {
    input: z.object({ rules: MappingRules.nullable() }).strict(),
    output: MappingRulesView,
  },
  'prometheus.check': {
    /** with no input, checks the saved settings; with input, checks a proposed configuration before saving */
    input: z.object({ proposed: PrometheusSettingsInput.optional() }).strict(),
    output: PrometheusCheck,
  },
  'models.history': {
    input: z.object({ context: z.string().min(1).max(512).optional(), target: WorkloadRef }).strict(),
    output: RevisionHistory,
  },
  'traffic.routes': {
    input: z.object({ context: z.string().min(1).max(512).optional() }).strict(),
    output: z.array(RouteView),
  },
  /** plan, permission check, server dry run and diff: nothing is written */
  'actions.prepare': {
    input: z.object({ context: z.string().min(1).max(512).optional(), request: ActionRequest }).strict(),
    output: PreparedAction,
  },
  /** the write, after the user typed the confirmation phrase; then watch until in effect, then audit */
  'actions.execute': {
    input: z.object({ id: z.string().uuid(), confirm: z.string().max(300) }).strict(),
    output: ActionOutcome,
  },
  'audit.list': {
    input: z.object({ limit: z.number().int().min(1).max(1000).default(100) }).strict(),
    output: z.array(AuditEntry),
  },
  'audit.verify': { input: empty, output: AuditVerification },
  ...metricsChannels,
  ...costChannels,
} as const satisfies Record<string, { input: z.ZodType; output: z.ZodType }>;

export const streams = {
  /**
   * the model list: sent when the cluster changes in a way the list shows (debounced, at most every 2 s), and every
   * `intervalS` seconds with fresh rates
   */
  'models.live': {
    params: z
      .object({
        context: z.string().min(1).max(512).optional(),
        intervalS: z.number().int().min(2).max(300).default(10),
      })
      .strict(),
    event: ModelList,
  },
} as const satisfies Record<string, { params: z.ZodType; event: z.ZodType }>;

export type Channel = keyof typeof channels;
export type Stream = keyof typeof streams;
export type ChannelInput<C extends Channel> = z.input<(typeof channels)[C]['input']>;
export type ChannelParsedInput<C extends Channel> = z.output<(typeof channels)[C]['input']>;
export type ChannelOutput<C extends Channel> = z.output<(typeof channels)[C]['output']>;
export type StreamParams<S extends Stream> = z.input<(typeof streams)[S]['params']>;
export type StreamParsedParams<S extends Stream> = z.output<(typeof streams)[S]['params']>;
export type StreamEvent<S extends Stream> = z.output<(typeof streams)[S]['event']>;

export const channelNames = Object.keys(channels) as Channel[];
export const streamNames = Object.keys(streams) as Stream[];

export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(channels, name);
}
export function isStream(name: unknown): name is Stream {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(streams, name);
}
