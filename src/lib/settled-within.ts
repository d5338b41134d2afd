// Waiting a bounded time for work in flight, e.g. a controller's last write before its store is
// closed under it on shutdown: resolves when `p` settles (either way) or after `ms`, whichever
// comes first, and never rejects.
export function settledWithin(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.then(
      () => {},
      () => {},
    ),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
