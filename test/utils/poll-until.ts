/**
 * For e2e specs that wait for something to happen elsewhere (another instance, the database, a
 * timer in the app): reads `probe` at once and then every `intervalMs` until `done` accepts the
 * value or `timeoutMs` has passed, and returns the last value read, so that the caller's
 * assertion reports what was actually seen. There is no minimum wait: a condition that already
 * holds returns on the first read.
 */
export async function pollUntil<T>(
  probe: () => T | Promise<T>,
  done: (value: T) => boolean,
  { timeoutMs = 10_000, intervalMs = 25 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() >= deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
