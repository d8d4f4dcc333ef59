// Small timing helpers for benchmarks (wall clock, in-process).

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Milliseconds per call of fn, averaged over `calls` calls. */
export function timePerCall(fn: () => void, calls: number): number {
  const start = performance.now();
  for (let i = 0; i < calls; i++) fn();
  return (performance.now() - start) / calls;
}

export function runtimeName(): string {
  const versions = (globalThis as unknown as { process: { versions: Record<string, string> } }).process.versions;
  if (versions.bun) return `bun ${versions.bun}`;
  return versions.deno ? `deno ${versions.deno}` : `node ${versions.node}`;
}
