/** How much of a body an error carries: enough to recognise Zoho's answer, never a page of data. */
export const BODY_EXCERPT_CHARS = 200;

/** Beyond the excerpt, what is read for redaction: a credential that starts inside the excerpt ends within it. */
const REDACTION_WINDOW_CHARS = 4096;

/** OAuth fields and credentials wherever a body might echo them, closed quote or not (a cut-short body). */
const CREDENTIAL_FIELDS = /("(?:access_token|refresh_token|client_secret|id_token|code)"\s*:\s*")(?:[^"\\]|\\.)*/gi;
const CREDENTIAL_PARAMETERS = /\b(access_token|refresh_token|client_secret|code)=[^&\s"']*/gi;
const AUTHORIZATION_VALUES = /\b(Zoho-oauthtoken|Bearer)\s+[^\s"',;]+/gi;
/** Zoho's tokens look like `1000.<hex>.<hex>`: masked even where no field names them. */
const ZOHO_TOKENS = /\b1000\.[0-9a-f]{8,}\.[0-9a-f]{8,}\b/gi;
const CONTROL_CHARACTERS = /[\p{Cc}]+/gu;

/**
 * The start of a response body for an error or a log line: every known secret (`secrets`: the
 * client secret, the refresh token, the access token sent) and anything shaped like a
 * credential replaced by [REDACTED] before it is cut, control characters folded to spaces so
 * it stays one line, at most BODY_EXCERPT_CHARS characters (whole code points).
 */
export function bodyExcerpt(body: string, secrets: readonly string[]): string {
  let text = body.slice(0, BODY_EXCERPT_CHARS + REDACTION_WINDOW_CHARS);
  // Longest first: a secret containing another is replaced whole.
  for (const secret of [...secrets].filter((s) => s.length > 0).sort((a, b) => b.length - a.length)) {
    text = text.split(secret).join('[REDACTED]');
  }
  text = text
    .replace(CREDENTIAL_FIELDS, '$1[REDACTED]')
    .replace(CREDENTIAL_PARAMETERS, '$1=[REDACTED]')
    .replace(AUTHORIZATION_VALUES, '$1 [REDACTED]')
    .replace(ZOHO_TOKENS, '[REDACTED]')
    .replace(CONTROL_CHARACTERS, ' ');
  const points = Array.from(text);
  return points.length <= BODY_EXCERPT_CHARS ? text : points.slice(0, BODY_EXCERPT_CHARS).join('');
}

/** Text that may name secrets (an error's message from elsewhere), redacted the same way and kept short. */
export const redactText = (text: string, secrets: readonly string[]): string => bodyExcerpt(text, secrets);
