/** Polls `probe` every 100 ms until it returns a value; fails naming `what` after the timeout. */
export async function waitFor<T>(probe: () => T | undefined, timeoutMillis = 15_000, what = 'the condition'): Promise<T> {
  const deadline = Date.now() + timeoutMillis;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMillis} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
