// The node flags every worker process runs with (npm start, npm run worker, the benchmarks).
//
// --max-old-space-size: V8 sizes its garbage-collection thresholds from the heap cap, and without one it takes a
// quarter of the machine's memory (4 GiB here), so a worker lets hundreds of MiB of collectable garbage pile up
// before its first full collection. The worker's heap holds no object data (bytes are Buffers, outside the heap):
// 1 GiB is far above what any job needs and keeps the process near its live size. bench:migrate's planner over
// 1,000,000 objects: 314-379 MiB peak RSS with V8's defaults, 265 MiB with this cap, at the same speed.
// WORKER_MAX_OLD_SPACE_MIB overrides it.
export function workerNodeArgs(env = process.env) {
  const heapMiB = Number(env.WORKER_MAX_OLD_SPACE_MIB ?? 1024);
  if (!Number.isInteger(heapMiB) || heapMiB < 64) throw new Error(`WORKER_MAX_OLD_SPACE_MIB must be a whole number of MiB, at least 64 (got ${env.WORKER_MAX_OLD_SPACE_MIB})`);
  return [`--max-old-space-size=${heapMiB}`, "--import", "tsx"];
}
