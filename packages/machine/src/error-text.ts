import { JWT_PATTERN } from './token.ts';

/** The longest server text a message quotes; longer text is cut with `…`. */
export const MESSAGE_EXCERPT_LENGTH = 200;
/** The longest server text an error keeps in its `body` field. */
export const ERROR_BODY_LENGTH = 4096;

const REDACTED = '(redacted)';
// Control characters (C0, DEL, C1), line and paragraph separators, and bidirectional overrides.
const UNPRINTABLE = /[\p{Cc}\p{Zl}\p{Zp}\u200e\u200f\u202a-\u202e\u2066-\u2069\s]+/gu;
const HTML_START = /^\s*<(?:!doctype|html|head|body|title|pre|center|h1|div|p)\b/i;

/**
 * `text` as one short printable line: control characters and line breaks become spaces, an HTML
 * page becomes its visible text, and anything past `limit` characters is cut with `…`. A short
 * single line comes back unchanged.
 *
 * @example
 * excerpt('<html><head><title>502</title></head><body><h1>Bad Gateway</h1></body></html>'); // 'Bad Gateway'
 */
export function excerpt(text: string, limit = MESSAGE_EXCERPT_LENGTH): string {
  const visible = HTML_START.test(text) ? visibleTextOf(text) : text;
  const line = visible.replace(UNPRINTABLE, ' ').trim();
  return line.length > limit ? `${line.slice(0, limit - 1)}…` : line;
}

function visibleTextOf(html: string): string {
  const title = /<title[^>]*>([^<]*)<\/title>/i.exec(html)?.[1] ?? '';
  const text = html
    .replace(/<(head|script|style)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
  return text.trim() === '' ? title : text;
}

/**
 * `text` with every occurrence of each secret (as sent, JSON-escaped and URL-encoded) and anything
 * shaped like a JWT replaced by `(redacted)`: what a server echoes back never reaches a message.
 *
 * @example
 * redactSecrets('bad password hunter2', ['hunter2']); // 'bad password (redacted)'
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (secret === '') continue;
    forms.add(secret);
    forms.add(JSON.stringify(secret).slice(1, -1));
    forms.add(encodeURIComponent(secret));
  }
  let redacted = text;
  for (const form of [...forms].sort((a, b) => b.length - a.length)) {
    redacted = redacted.split(form).join(REDACTED);
  }
  return redacted.replace(JWT_PATTERN, REDACTED);
}

/** `text` cut to `limit` characters (with `…`), for error fields that keep more than a message. */
export function truncate(text: string, limit = ERROR_BODY_LENGTH): string {
  return text.length > limit ? `${text.slice(0, limit - 1)}…` : text;
}
