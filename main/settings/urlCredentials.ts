/**
 * Where a saved secret may go. As curl and browsers do, a credential entered for one origin (scheme, host,
 * port) is not sent to another: a changed Prometheus or Alertmanager URL drops it unless it is entered again.
 * And a `user:password@` in a URL is never kept in the URL (it would be stored, shown and printed in
 * messages): it is taken out, to become basic auth.
 */

/** scheme://host:port of an http(s) URL (default ports left out, as URL.origin does); null when it is not one. */
export function originOf(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : null;
  } catch {
    return null;
  }
}

export interface SplitUrl {
  /** the URL without user name and password */
  url: string;
  username: string | null;
  password: string | null;
}

/** Takes `user:password@` out of a URL. */
export function withoutUserinfo(url: string): SplitUrl {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { url, username: null, password: null };
  }
  if (!u.username && !u.password) return { url, username: null, password: null };
  const username = decode(u.username) || null;
  const password = decode(u.password) || null;
  u.username = '';
  u.password = '';
  // URL adds a trailing slash to a bare origin; keep the text as the user wrote it otherwise
  const text = u.toString();
  return {
    url: url.endsWith('/') || u.pathname !== '/' ? text : text.replace(/\/$/, ''),
    username,
    password,
  };
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
