/**
 * The AWS profiles a user can pick: section names of ~/.aws/config (`[profile x]`, `[default]`) and
 * ~/.aws/credentials (`[x]`), or of the files AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE name. Only names,
 * the region and whether a profile is an IAM Identity Center (SSO) one are read out; no key, token or secret
 * value is kept or returned. The SDK's own credential chain resolves the chosen profile when a call is made.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AwsProfile, AwsProfileList } from '../../shared/cost';

export interface AwsEnv {
  HOME?: string | undefined;
  USERPROFILE?: string | undefined;
  AWS_CONFIG_FILE?: string | undefined;
  AWS_SHARED_CREDENTIALS_FILE?: string | undefined;
  AWS_PROFILE?: string | undefined;
  AWS_ACCESS_KEY_ID?: string | undefined;
}

export function awsEnvFrom(env: NodeJS.ProcessEnv): AwsEnv {
  return {
    HOME: env.HOME,
    USERPROFILE: env.USERPROFILE,
    AWS_CONFIG_FILE: env.AWS_CONFIG_FILE,
    AWS_SHARED_CREDENTIALS_FILE: env.AWS_SHARED_CREDENTIALS_FILE,
    AWS_PROFILE: env.AWS_PROFILE,
    AWS_ACCESS_KEY_ID: env.AWS_ACCESS_KEY_ID,
  };
}

function home(env: AwsEnv): string {
  return env.HOME || env.USERPROFILE || os.homedir();
}

export function awsConfigFiles(env: AwsEnv): { config: string; credentials: string } {
  return {
    config: env.AWS_CONFIG_FILE || path.join(home(env), '.aws', 'config'),
    credentials: env.AWS_SHARED_CREDENTIALS_FILE || path.join(home(env), '.aws', 'credentials'),
  };
}

/** The keys of interest per section; any other key (secrets included) is skipped without being kept. */
const READ_KEYS = new Set(['region', 'sso_session', 'sso_start_url', 'sso_account_id', 'sso_role_name']);

interface Section {
  header: string;
  values: Map<string, string>;
}

/** A small INI reader for the AWS files: `[section]`, `key = value`, `#`/`;` comments, indented sub-keys skipped. */
export function readIniSections(text: string): Section[] {
  const sections: Section[] = [];
  let current: Section | null = null;
  for (const rawLine of text.split(/\r?\n/)) {
    if (/^\s/.test(rawLine) && current) continue; // nested (s3 = …) sub-properties
    const line = rawLine.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[\s*([^\]]+?)\s*\]/.exec(line);
    if (header) {
      current = { header: header[1] as string, values: new Map() };
      sections.push(current);
      continue;
    }
    if (!current) continue;
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = line.slice(0, eq).trim().toLowerCase();
    if (READ_KEYS.has(key)) current.values.set(key, line.slice(eq + 1).trim());
  }
  return sections;
}

function readText(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

export function listAwsProfiles(env: AwsEnv): AwsProfileList {
  const files = awsConfigFiles(env);
  const found = new Map<string, AwsProfile>();
  const read: string[] = [];
  const upsert = (name: string, file: 'config' | 'credentials', values: Map<string, string>) => {
    if (!/^[\w.@+-]{1,128}$/.test(name)) return;
    let p = found.get(name);
    if (!p) found.set(name, (p = { name, files: [], sso: false, region: null }));
    if (!p.files.includes(file)) p.files.push(file);
    if (values.has('sso_session') || values.has('sso_start_url')) p.sso = true;
    p.region = p.region ?? values.get('region') ?? null;
  };

  const configText = readText(files.config);
  if (configText !== null) {
    read.push(files.config);
    for (const s of readIniSections(configText)) {
      if (s.header === 'default') upsert('default', 'config', s.values);
      else if (/^profile\s+/.test(s.header))
        upsert(s.header.replace(/^profile\s+/, '').trim(), 'config', s.values);
      // [sso-session x], [services x] are not profiles
    }
  }
  const credentialsText = readText(files.credentials);
  if (credentialsText !== null) {
    read.push(files.credentials);
    for (const s of readIniSections(credentialsText)) upsert(s.header.trim(), 'credentials', s.values);
  }
  const profiles = [...found.values()].sort((a, b) =>
    a.name === 'default' ? -1 : b.name === 'default' ? 1 : a.name.localeCompare(b.name),
  );
  return {
    profiles,
    files: read,
    envProfile: env.AWS_PROFILE?.trim() || null,
    envKeys: Boolean(env.AWS_ACCESS_KEY_ID),
  };
}
