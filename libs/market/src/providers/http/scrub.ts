/** Removes secrets from any text before it can reach an error, a log line or a status. */
export type Scrubber = (text: string) => string;

const REDACTED = '[redacted]';

export function createScrubber(secrets: readonly (string | undefined)[]): Scrubber {
  // A key can appear raw, URL-encoded (query strings) or base64-encoded (basic auth).
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (!secret) continue;
    forms.add(secret);
    forms.add(encodeURIComponent(secret));
    forms.add(Buffer.from(secret).toString('base64'));
  }
  // Longest first, so a form that contains another is replaced whole.
  const ordered = [...forms].filter((form) => form.length > 0).sort((a, b) => b.length - a.length);
  if (ordered.length === 0) return (text) => text;
  return (text) => ordered.reduce((out, form) => out.split(form).join(REDACTED), text);
}
