/**
 * Logging for the handlers. The ResponseURL is presigned: whoever holds it can answer for the
 * resource, so it never reaches a log line.
 */
const MASKED = '(masked)';

function maskProperties(props: unknown, sensitive: readonly string[]): unknown {
  if (!props || typeof props !== 'object') return props;
  const masked: Record<string, unknown> = { ...props };
  // WaitHandleUrl: the presigned handle URL that stacks deployed before the handle was named still carry
  // in their old properties, seen once more in the Update that replaces it.
  for (const key of ['WaitHandleUrl', ...sensitive]) if (key in masked) masked[key] = MASKED;
  return masked;
}

/** Logs an event with the presigned URLs and the kind's sensitive properties masked. */
export function logEvent(label: string, event: object, sensitive: readonly string[] = []): void {
  const masked: Record<string, unknown> = { ...event };
  if ('ResponseURL' in masked) masked.ResponseURL = MASKED;
  masked.ResourceProperties = maskProperties(masked.ResourceProperties, sensitive);
  if ('OldResourceProperties' in masked) masked.OldResourceProperties = maskProperties(masked.OldResourceProperties, sensitive);
  log(label, masked);
}

export function log(message: string, detail?: unknown): void {
  if (detail === undefined) console.log(message);
  else console.log(message, JSON.stringify(detail));
}
