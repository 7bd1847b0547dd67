import { createStore, type StoreApi } from 'zustand/vanilla';
import type { KubeContextList } from '../../shared/connections';
import type {
  PrometheusCheck,
  PrometheusSettingsInput,
  SettingsUpdate,
  SettingsView,
} from '../../shared/settings';
import type { z } from 'zod';
import type { AppErrorData } from '../../shared/errors';
import type { Transport } from '../../shared/transport';
import { failed, idle, loading, ready, settle, systemClock, type AsyncState, type Clock } from './async';

/** `sigv4`: requests signed with AWS SigV4 (Amazon Managed Prometheus), credentials from the AWS chain */
export type AuthKind = 'none' | 'bearer' | 'basic' | 'sigv4';

/** The settings form as typed. Secrets are blank unless the user types a new one. */
export interface SettingsDraft {
  kubeconfigPath: string;
  context: string;
  prometheusUrl: string;
  /** empty = no Alertmanager (alerts off) */
  alertmanagerUrl: string;
  authKind: AuthKind;
  token: string;
  username: string;
  password: string;
  /** AWS region of an Amazon Managed Prometheus workspace (with `sigv4`) */
  awsRegion: string;
  /** Mimir/Cortex tenant (`X-Scope-OrgID`); empty = none */
  tenant: string;
  /** a new PEM CA certificate; empty = keep the saved one (or none) */
  caCert: string;
  /** forget the saved CA certificate */
  removeCaCert: boolean;
}

export type DraftField = keyof SettingsDraft;
export type FieldErrors = Partial<Record<DraftField, string>>;

export function draftFromSettings(view: SettingsView): SettingsDraft {
  const auth = view.prometheus.auth;
  return {
    kubeconfigPath: view.kube.kubeconfigPath ?? '',
    context: view.kube.context ?? '',
    prometheusUrl: view.prometheus.url ?? '',
    alertmanagerUrl: view.prometheus.alertmanagerUrl ?? '',
    authKind: view.prometheus.sigv4 ? 'sigv4' : auth.kind,
    token: '',
    username: auth.kind === 'basic' ? auth.username : '',
    password: '',
    awsRegion: view.prometheus.sigv4?.region ?? '',
    tenant: view.prometheus.tenant ?? '',
    caCert: '',
    removeCaCert: false,
  };
}

export function prometheusInput(draft: SettingsDraft): z.input<typeof PrometheusSettingsInput> {
  const caCert = draft.caCert.trim();
  const common = {
    url: draft.prometheusUrl.trim() || null,
    alertmanagerUrl: draft.alertmanagerUrl.trim() || null,
    tenant: draft.tenant.trim() || null,
    sigv4: draft.authKind === 'sigv4' ? { region: draft.awsRegion.trim(), service: 'aps' } : null,
    // nothing pasted = keep the saved certificate, unless asked to remove it
    ...(caCert ? { caCert } : draft.removeCaCert ? { caCert: null } : {}),
  };
  switch (draft.authKind) {
    case 'none':
    case 'sigv4':
      return { ...common, auth: { kind: 'none' } };
    case 'bearer':
      // no token typed = keep the one saved
      return {
        ...common,
        auth: draft.token ? { kind: 'bearer', token: draft.token } : { kind: 'bearer' },
      };
    case 'basic':
      return {
        ...common,
        auth: {
          kind: 'basic',
          username: draft.username.trim(),
          ...(draft.password ? { password: draft.password } : {}),
        },
      };
  }
}

export function draftToUpdate(draft: SettingsDraft): z.input<typeof SettingsUpdate> {
  return {
    kube: { kubeconfigPath: draft.kubeconfigPath.trim() || null, context: draft.context || null },
    prometheus: prometheusInput(draft),
  };
}

/** What the form can tell before asking main (main still validates everything). */
export function validateDraft(draft: SettingsDraft, saved: SettingsView | undefined): FieldErrors {
  const errors: FieldErrors = {};
  const url = draft.prometheusUrl.trim();
  if (url && !/^https?:\/\/\S+$/i.test(url)) errors.prometheusUrl = 'Must be an http:// or https:// URL.';
  if (draft.authKind !== 'none' && !url) errors.prometheusUrl = 'Enter the URL that the credentials are for.';
  const am = draft.alertmanagerUrl.trim();
  if (am && !/^https?:\/\/\S+$/i.test(am)) errors.alertmanagerUrl = 'Must be an http:// or https:// URL.';
  const savedAuth = saved?.prometheus.auth;
  if (draft.authKind === 'bearer' && !draft.token && !(savedAuth?.kind === 'bearer' && savedAuth.hasToken))
    errors.token = 'Enter a token (none is saved yet).';
  if (draft.authKind === 'basic' && !draft.username.trim()) errors.username = 'Enter a user name.';
  if (draft.authKind === 'sigv4' && !/^[a-z]{2}(-[a-z]+)+-\d$/.test(draft.awsRegion.trim()))
    errors.awsRegion = "Enter the workspace's AWS region, e.g. us-east-1.";
  const tenant = draft.tenant.trim();
  if (tenant && !/^[A-Za-z0-9!_.*'()|-]{1,150}$/.test(tenant))
    errors.tenant = "Letters, digits and !-_.*'() only (| joins several tenants).";
  if (draft.caCert.trim() && !draft.caCert.includes('-----BEGIN CERTIFICATE-----'))
    errors.caCert = 'Paste a PEM certificate (-----BEGIN CERTIFICATE----- …).';
  else if (draft.caCert.trim().length > 65_536)
    errors.caCert = 'Too long for a CA certificate (64 KiB at most).';
  return errors;
}

const fieldByIssuePath: Array<[RegExp, DraftField]> = [
  [/^kube\.kubeconfigPath/, 'kubeconfigPath'],
  [/^kube\.context/, 'context'],
  [/^(proposed\.|prometheus\.)?url/, 'prometheusUrl'],
  [/^(proposed\.|prometheus\.)?alertmanagerUrl/, 'alertmanagerUrl'],
  [/^(proposed\.|prometheus\.)?tenant/, 'tenant'],
  [/^(proposed\.|prometheus\.)?caCert/, 'caCert'],
  [/^(proposed\.|prometheus\.)?sigv4/, 'awsRegion'],
  [/^(proposed\.|prometheus\.)?auth\.token/, 'token'],
  [/^(proposed\.|prometheus\.)?auth\.username/, 'username'],
  [/^(proposed\.|prometheus\.)?auth\.password/, 'password'],
  [/^(proposed\.|prometheus\.)?auth/, 'authKind'],
];

/** `INVALID_INPUT` errors carry `details.issues: [{path, message}]`: put each beside its field. */
export function fieldErrorsFrom(error: AppErrorData): { fields: FieldErrors; other: string[] } {
  const fields: FieldErrors = {};
  const other: string[] = [];
  const issues = Array.isArray(error.details?.issues) ? (error.details.issues as unknown[]) : [];
  for (const issue of issues) {
    if (typeof issue !== 'object' || issue === null) continue;
    const { path, message } = issue as { path?: unknown; message?: unknown };
    if (typeof message !== 'string') continue;
    const p = typeof path === 'string' ? path : Array.isArray(path) ? path.join('.') : '';
    const field = fieldByIssuePath.find(([re]) => re.test(p))?.[1];
    if (field && !fields[field]) fields[field] = message;
    else if (!field) other.push(p ? `${p}: ${message}` : message);
  }
  return { fields, other };
}

export interface SettingsState {
  settings: AsyncState<SettingsView>;
  contexts: AsyncState<KubeContextList>;
  /** the last "Test connection" */
  check: AsyncState<PrometheusCheck>;
  /** the last Save */
  save: AsyncState<SettingsView>;
  draft: SettingsDraft | null;
  /** the draft differs from what is saved */
  dirty: boolean;
  fieldErrors: FieldErrors;
  load(): Promise<void>;
  loadContexts(): Promise<void>;
  edit(patch: Partial<SettingsDraft>): void;
  /** lists the contexts of the kubeconfig path in the form, without saving it (Save does) */
  loadDraftContexts(): Promise<void>;
  testPrometheus(): Promise<void>;
  saveDraft(): Promise<boolean>;
  discard(): void;
}

export interface SettingsStoreOptions {
  clock?: Clock;
  /** after a successful save (the app refreshes what depends on settings) */
  onSaved?: (view: SettingsView) => void;
}

export function createSettingsStore(
  getTransport: () => Transport,
  options: SettingsStoreOptions = {},
): StoreApi<SettingsState> {
  const clock = options.clock ?? systemClock;

  return createStore<SettingsState>()((set, get) => ({
    settings: idle(),
    contexts: idle(),
    check: idle(),
    save: idle(),
    draft: null,
    dirty: false,
    fieldErrors: {},

    async load() {
      set({ settings: loading(get().settings) });
      const [settings] = await Promise.all([getTransport().invoke('settings.get', {}), get().loadContexts()]);
      const next = settle(settings, get().settings, clock());
      set({ settings: next });
      // a form being edited is not overwritten by a reload
      if (settings.ok && (!get().draft || !get().dirty))
        set({ draft: draftFromSettings(settings.value), dirty: false });
    },

    async loadContexts() {
      set({ contexts: loading(get().contexts) });
      const result = await getTransport().invoke('kube.contexts', {});
      // contexts of a previous kubeconfig must not stay on screen for a file that failed
      set({ contexts: result.ok ? ready(result.value, clock()) : failed(result.error, idle()) });
    },

    edit(patch) {
      const draft = get().draft;
      if (!draft) return;
      const errors = { ...get().fieldErrors };
      for (const key of Object.keys(patch) as DraftField[]) delete errors[key];
      if ('prometheusUrl' in patch || 'authKind' in patch) set({ check: idle() });
      set({ draft: { ...draft, ...patch }, dirty: true, fieldErrors: errors });
    },

    async loadDraftContexts() {
      const draft = get().draft;
      if (!draft) return;
      const kubeconfigPath = draft.kubeconfigPath.trim() || null;
      set({ contexts: loading(idle()) });
      // a preview of that file's contexts: nothing is saved until the user saves the form
      const result = await getTransport().invoke('kube.contexts', { kubeconfigPath });
      if (!result.ok) {
        const { fields } = fieldErrorsFrom(result.error);
        set({
          contexts: failed(result.error, idle()),
          fieldErrors: {
            ...get().fieldErrors,
            kubeconfigPath: fields.kubeconfigPath ?? result.error.message,
          },
        });
        return;
      }
      set({ contexts: ready(result.value, clock()) });
      const current = get().draft;
      // a context that this file does not have is not kept silently
      if (current && current.context && !result.value.contexts.some((c) => c.name === current.context))
        set({ draft: { ...current, context: '' }, dirty: true });
    },

    async testPrometheus() {
      const draft = get().draft;
      if (!draft) return;
      if (!draft.prometheusUrl.trim()) {
        set({ fieldErrors: { ...get().fieldErrors, prometheusUrl: 'Enter a Prometheus URL to test.' } });
        return;
      }
      set({ check: loading(idle()) });
      const result = await getTransport().invoke('prometheus.check', { proposed: prometheusInput(draft) });
      if (!result.ok && result.error.code === 'INVALID_INPUT') {
        set({ fieldErrors: { ...get().fieldErrors, ...fieldErrorsFrom(result.error).fields } });
      }
      set({ check: settle(result, idle(), clock()) });
    },

    async saveDraft() {
      const draft = get().draft;
      if (!draft) return false;
      const local = validateDraft(draft, get().settings.data);
      if (Object.keys(local).length > 0) {
        set({ fieldErrors: local });
        return false;
      }
      set({ save: loading(idle()), fieldErrors: {} });
      const result = await getTransport().invoke('settings.update', draftToUpdate(draft));
      if (!result.ok) {
        const fields = result.error.code === 'INVALID_INPUT' ? fieldErrorsFrom(result.error).fields : {};
        set({ save: failed(result.error, idle()), fieldErrors: fields });
        return false;
      }
      set({
        save: ready(result.value, clock()),
        settings: ready(result.value, clock()),
        draft: draftFromSettings(result.value),
        dirty: false,
      });
      options.onSaved?.(result.value);
      void get().loadContexts();
      return true;
    },

    discard() {
      const saved = get().settings.data;
      set({
        draft: saved ? draftFromSettings(saved) : get().draft,
        dirty: false,
        fieldErrors: {},
        check: idle(),
        save: idle(),
      });
    },
  }));
}
