/** A URL fit for messages and debug logs: no user:password and no secret-looking query values. */
export function redactUrl(url: URL | string): string {
  const u = new URL(String(url));
  if (u.username || u.password) {
    u.username = '';
    u.password = '';
  }
  for (const key of [...u.searchParams.keys()]) {
    if (/token|secret|password|signature|sig|verify|credential/i.test(key)) u.searchParams.set(key, 'REDACTED');
  }
  return u.toString();
}
