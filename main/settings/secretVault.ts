/**
 * Where tokens and passwords live: in memory, for this session only. They are never written to the
 * store, never logged and never sent to the renderer (which only learns whether one is set).
 */
export interface SecretVault {
  get(name: string): string | undefined;
  set(name: string, value: string | undefined): void;
}

export function memoryVault(): SecretVault {
  const secrets = new Map<string, string>();
  return {
    get: (name) => secrets.get(name),
    set: (name, value) => {
      if (value === undefined || value === '') secrets.delete(name);
      else secrets.set(name, value);
    },
  };
}
