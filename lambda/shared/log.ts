/**
 * Logging for the handlers. The ResponseURL and the wait condition handle's URL are presigned:
 * whoever holds them can answer for the resource, so they never reach a log line.
 */
const MASKED = '(masked)';

function maskProperties(props: unknown): unknown {
  if (!props || typeof props !== 'object' || !('WaitHandleUrl' in props)) return props;
  return { ...props, WaitHandleUrl: MASKED };
}

export function logEvent(label: string, event: object): void {
  const masked: Record<string, unknown> = { ...event };
  if ('ResponseURL' in masked) masked.ResponseURL = MASKED;
  masked.ResourceProperties = maskProperties(masked.ResourceProperties);
  if ('OldResourceProperties' in masked) masked.OldResourceProperties = maskProperties(masked.OldResourceProperties);
  log(label, masked);
}

export function log(message: string, detail?: unknown): void {
  if (detail === undefined) console.log(message);
  else console.log(message, JSON.stringify(detail));
}
