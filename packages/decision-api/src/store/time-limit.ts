/**
 * The work's answer, or the error `timedOut` makes when it has not answered within `ms`. Work that goes on past the
 * limit is left to finish (or fail) on its own; a late failure does not become an unhandled rejection.
 */
export async function withinTimeLimit<T>(work: Promise<T>, ms: number, timedOut: () => Error): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timedOut()), ms);
  });
  work.catch(() => {});
  try {
    return await Promise.race([work, limit]);
  } finally {
    clearTimeout(timer);
  }
}
