/**
 * Removes known secret values from any text before it can reach an error, a log line, a
 * status or an API response. (The logger's field-name redaction is the other guard: it
 * censors fields such as `apiKey` whatever their value.) Free of Node-only APIs, so any
 * lib may use it.
 */
export type Scrubber = (text: string) => string;

export const REDACTED = '[redacted]';

/**
 * A piece of a secret this long is as good as a leak (a cut excerpt, a partial echo); a
 * shorter one is too common a string to remove without mangling ordinary text.
 */
export const MIN_SECRET_FRAGMENT = 6;

/**
 * Builds one scrubber for several secrets. Each is looked for raw, JSON-escaped (log lines),
 * URL-encoded (query strings, either hex case) and base64-encoded (basic auth, at any byte
 * alignment), and any run of at least MIN_SECRET_FRAGMENT characters of those forms is
 * replaced, so a secret cut by an excerpt or echoed in part does not survive either. A
 * secret shorter than that is replaced only whole.
 */
export function createScrubber(secrets: readonly (string | null | undefined)[]): Scrubber {
  const values = secrets.filter((secret): secret is string => !!secret);
  if (values.length === 0) return (text) => text;
  const fragments = new Set<string>();
  const shortSecrets: string[] = [];
  for (const value of values) {
    if (value.length < MIN_SECRET_FRAGMENT) shortSecrets.push(value);
    for (const form of encodedForms(value)) {
      for (let i = 0; i + MIN_SECRET_FRAGMENT <= form.length; i++) {
        fragments.add(form.slice(i, i + MIN_SECRET_FRAGMENT));
      }
    }
  }
  const starts = new Set([...fragments].map((fragment) => pairAt(fragment, 0)));
  return (text) => {
    const scrubbed = fragments.size > 0 ? replaceFragments(text, fragments, starts) : text;
    return shortSecrets.reduce((out, secret) => out.split(secret).join(REDACTED), scrubbed);
  };
}

/** Two characters as one number: a cheap first test before a fragment is cut out and looked up. */
function pairAt(text: string, index: number): number {
  return (text.charCodeAt(index) << 16) | text.charCodeAt(index + 1);
}

/** Replaces every maximal run of text covered by known fragments with one REDACTED. */
function replaceFragments(
  text: string,
  fragments: ReadonlySet<string>,
  starts: ReadonlySet<number>,
): string {
  let out = '';
  let copiedTo = 0;
  let coveredTo = -1;
  let runStart = -1;
  for (let i = 0; i + MIN_SECRET_FRAGMENT <= text.length; i++) {
    if (!starts.has(pairAt(text, i))) continue;
    if (!fragments.has(text.slice(i, i + MIN_SECRET_FRAGMENT))) continue;
    if (i > coveredTo) {
      if (runStart >= 0) {
        out += text.slice(copiedTo, runStart) + REDACTED;
        copiedTo = coveredTo;
      }
      runStart = i;
    }
    coveredTo = i + MIN_SECRET_FRAGMENT;
  }
  if (runStart < 0) return text;
  return out + text.slice(copiedTo, runStart) + REDACTED + text.slice(coveredTo);
}

/** The forms a secret takes on the wire, each a string whose runs may appear in a text. */
function encodedForms(secret: string): string[] {
  const encoded = encodeURIComponent(secret);
  const forms = [
    secret,
    JSON.stringify(secret).slice(1, -1),
    encoded,
    encoded.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()),
  ];
  const bytes = new TextEncoder().encode(secret);
  // In base64 a secret's characters depend on where it starts within a 3-byte group: each
  // alignment gives its own text, of which the characters that mix with what surrounds the
  // secret (the first and the last few) are left out.
  for (let pad = 0; pad < 3; pad++) {
    const padded = new Uint8Array(pad + bytes.length);
    padded.set(bytes, pad);
    const b64 = base64(padded);
    const firstOwn = Math.ceil((pad * 4) / 3);
    const lastOwn = Math.floor(((pad + bytes.length) * 4) / 3);
    forms.push(pad === 0 ? b64 : b64.slice(firstOwn, lastOwn));
  }
  return [...new Set(forms)];
}

function base64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * A URL as it may be shown to a person: its password hidden, whatever it is. Where
 * createScrubber removes secrets it knows by value, this removes the one a URL holds by place.
 */
export function redactUrlPassword(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
