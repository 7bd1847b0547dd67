import path from 'node:path';
import { AppError } from '../../shared/errors';

/** The file name of a profile's store inside its folder. */
export const STORE_FILE_NAME = 'firebreak.sqlite';

/** Letters, digits, '.', '_', '-'; starts with a letter or digit (so never '.' or '..'); at most 64. */
const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** Names Windows reserves for devices, with or without an extension. */
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

/**
 * `<userData>/profiles/<profile>/firebreak.sqlite`. The profile name becomes a folder name, so it is checked,
 * not cleaned up: anything that could leave the profiles folder (separators, '..') or that some OS refuses
 * is an INVALID_INPUT that says what is allowed.
 */
export function storePathFor(userDataDir: string, profile: string): string {
  if (typeof userDataDir !== 'string' || userDataDir.length === 0) {
    throw new AppError('INVALID_INPUT', 'The user-data folder is not set.', 'This is a bug in the caller.');
  }
  if (
    typeof profile !== 'string' ||
    !PROFILE_NAME.test(profile) ||
    profile.endsWith('.') ||
    WINDOWS_RESERVED.test(profile)
  ) {
    throw new AppError(
      'INVALID_INPUT',
      `"${String(profile)}" cannot be a profile name.`,
      "Use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit (for example: prod-eu).",
    );
  }
  return path.join(path.resolve(userDataDir), 'profiles', profile, STORE_FILE_NAME);
}
