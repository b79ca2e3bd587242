import { tuneHeap } from './service/heap-tuning.ts'

/**
 * The service's entry point (`npm start` and `coffer serve` run it with `START_FLAGS`; `node
 * packages/server/dist/main.js` works too): V8's run-time heap flags first, then the service. The
 * service's modules are imported only after the flags are set: loading them already allocates, and
 * would grow the young generation the flags keep small.
 */
tuneHeap()
const { runService } = await import('./service/run-service.ts')
await runService()
