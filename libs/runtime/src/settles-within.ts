/** Whether `work` settles within `timeoutMs` (Infinity: waits as long as it takes). */
export async function settlesWithin(work: Promise<unknown>, timeoutMs: number): Promise<boolean> {
  if (timeoutMs === Infinity) return work.then(() => true);
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([work.then(() => true), expired]);
  } finally {
    clearTimeout(timer);
  }
}
