// Worker thread of the CLI's offline pool (offlinePool.ts): runs the offline checks of the units it
// is sent, so a large review uses every core. Bundled as dist/offlineWorker.js.
import { parentPort } from 'node:worker_threads';
import { runOfflineChecks } from '../core/offline';
import type { OfflineJob, OfflineReply } from './offlinePool';

if (!parentPort) throw new Error('offlineWorker runs only as a worker thread of the CLI');
const port = parentPort;

port.on('message', (job: OfflineJob) => {
  runOfflineChecks(job.unit, job.config).then(
    (findings) => port.postMessage({ id: job.id, findings } satisfies OfflineReply),
    (error: unknown) => port.postMessage({ id: job.id, error: error instanceof Error ? error.message : String(error) } satisfies OfflineReply),
  );
});
