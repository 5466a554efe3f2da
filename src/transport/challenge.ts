/**
 * WWW-Authenticate parsing (RFC 7235 / RFC 6750 §3).
 *
 *   challenge   = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
 *   auth-param  = token BWS "=" BWS ( token / quoted-string )
 *   quoted-string = DQUOTE *( qdtext / "\" any-char ) DQUOTE
 *
 * The scheme and parameter names match case-insensitively (they are returned lowercased). A header may
 * repeat, and one header value may hold several challenges separated by commas: a new challenge starts
 * where a token is followed by a space and no "=".
 */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

const TOKEN = /[!#$%&'*+\-.^_`|~0-9A-Za-z]+/y;

export function parseChallenges(headers: string | string[] | undefined): Challenge[] {
  if (headers === undefined) return [];
  const values = Array.isArray(headers) ? headers : [headers];
  return values.flatMap(parseHeaderValue);
}

function parseHeaderValue(value: string): Challenge[] {
  const out: Challenge[] = [];
  let i = 0;
  const n = value.length;
  const skipWs = () => {
    while (i < n && (value[i] === ' ' || value[i] === '\t')) i++;
  };
  const token = (): string | undefined => {
    TOKEN.lastIndex = i;
    const m = TOKEN.exec(value);
    if (!m) return undefined;
    i += m[0].length;
    return m[0];
  };
  while (i < n) {
    skipWs();
    while (i < n && value[i] === ',') { i++; skipWs(); }
    const scheme = token();
    if (scheme === undefined) break;
    const challenge: Challenge = { scheme: scheme.toLowerCase(), params: {} };
    out.push(challenge);
    for (;;) {
      skipWs();
      const start = i;
      const name = token();
      if (name === undefined) break;
      skipWs();
      if (value[i] !== '=') { i = start; break; } // a new challenge's scheme
      i++;
      skipWs();
      let val: string;
      if (value[i] === '"') {
        i++;
        val = '';
        while (i < n && value[i] !== '"') {
          if (value[i] === '\\' && i + 1 < n) i++;
          val += value[i];
          i++;
        }
        i++; // closing quote (tolerate a missing one at the end)
      } else {
        val = token() ?? '';
        while (i < n && value[i] === '=') { val += '='; i++; } // token68 padding
      }
      challenge.params[name.toLowerCase()] = val;
      skipWs();
      if (value[i] === ',') { i++; continue; }
      if (i < n) { // junk: skip to the next comma
        while (i < n && value[i] !== ',') i++;
      }
    }
  }
  return out;
}

/** The challenge to answer: Bearer before Basic, unknown schemes ignored. */
export function pickChallenge(challenges: Challenge[]): Challenge | undefined {
  return challenges.find((c) => c.scheme === 'bearer') ?? challenges.find((c) => c.scheme === 'basic');
}
