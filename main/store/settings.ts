import { AppError } from '../../shared/errors';
import type { Connection } from './database';

/** Key/value settings of a profile; values are JSON. Secrets do not belong here (main/settings keeps them in the vault). */
export interface SettingsTable {
  get<T>(key: string): T | undefined;
  set(key: string, value: unknown): void;
  delete(key: string): void;
}

export function settingsTable(conn: Connection): SettingsTable {
  const { db } = conn;
  const select = db.prepare<[string], string>('SELECT value FROM settings WHERE key = ?').pluck();
  const upsert = db.prepare<[string, string]>(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  );
  const remove = db.prepare<[string]>('DELETE FROM settings WHERE key = ?');

  return {
    get<T>(key: string): T | undefined {
      const text = select.get(checkKey(key));
      return text === undefined ? undefined : (JSON.parse(text) as T);
    },
    set(key: string, value: unknown): void {
      let text: string | undefined;
      try {
        text = JSON.stringify(value);
      } catch (err) {
        throw new AppError(
          'INVALID_INPUT',
          `The setting "${key}" cannot be saved as JSON: ${(err as Error).message}.`,
          'Save plain JSON data.',
        );
      }
      if (text === undefined) {
        throw new AppError(
          'INVALID_INPUT',
          `The setting "${key}" has no JSON value (${typeof value}).`,
          'Use delete() to remove a setting.',
        );
      }
      upsert.run(checkKey(key), text);
    },
    delete(key: string): void {
      remove.run(checkKey(key));
    },
  };
}

function checkKey(key: string): string {
  if (typeof key !== 'string' || key.length === 0 || key.length > 200) {
    throw new AppError(
      'INVALID_INPUT',
      'A setting key must be a non-empty string of at most 200 characters.',
      'This is a bug in the caller.',
    );
  }
  return key;
}
