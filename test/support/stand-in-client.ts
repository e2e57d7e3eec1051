/** Options of a real AWS SDK client that talks to a rehearsal stand-in, with throwaway credentials and no retries. */
export function standInClientConfig(endpoint: string) {
  return { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, maxAttempts: 1 };
}
