/**
 * Logging for the handlers. The ResponseURL is a presigned URL that lets anyone answer for the
 * resource, so it never reaches a log line.
 */
export function logEvent(label: string, event: object): void {
  const masked: Record<string, unknown> = { ...event };
  if ('ResponseURL' in masked) masked.ResponseURL = '(masked)';
  log(label, masked);
}

export function log(message: string, detail?: unknown): void {
  if (detail === undefined) console.log(message);
  else console.log(message, JSON.stringify(detail));
}
