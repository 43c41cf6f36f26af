/**
 * One header's value. A repeated header is joined with ", " as Node joins unknown headers, so a
 * signature sent twice reads as one malformed value, never as either of the two.
 */
export function headerValue(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}
