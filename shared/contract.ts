/**
 * The contract between renderer and main: the only way they talk.
 * Each channel has an input and an output schema; each stream has a params and an event schema.
 * Types are inferred from the schemas, so a change here is checked on both sides. Each capability keeps its
 * types and its slice of the table in shared/<capability>.ts; this file only merges them.
 */
import type { z } from 'zod';
import { actionsChannels } from './actions';
import { alertsChannels } from './alerts';
import { auditChannels } from './audit';
import { connectionsChannels } from './connections';
import { costChannels } from './cost';
import { gpuChannels } from './gpu';
import { healthChannels } from './health';
import { incidentChannels, incidentStreams } from './incident';
import { modelsChannels, modelsStreams } from './models';
import { settingsChannels } from './settings';
import { trafficChannels } from './traffic';

/** Each capability's slice (shared/<capability>.ts), merged: a channel's name says which capability it is. */
export const channels = {
  ...settingsChannels,
  ...connectionsChannels,
  ...modelsChannels,
  ...trafficChannels,
  ...actionsChannels,
  ...auditChannels,
  ...healthChannels,
  ...gpuChannels,
  ...alertsChannels,
  ...costChannels,
  ...incidentChannels,
} as const satisfies Record<string, { input: z.ZodType; output: z.ZodType }>;

export const streams = {
  ...modelsStreams,
  ...incidentStreams,
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
