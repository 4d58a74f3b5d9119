// Worker thread of the offline checks pool (pool.ts): runs the offline checks of the files, or parts
// of files, it is sent. Bundled as dist/offlineWorker.js, used by the CLI and the extension.
import { parentPort } from 'node:worker_threads';
import { runOfflineCheckPart } from './index';
import { wholeFilePart } from './segments';
import type { OfflineJob, OfflineReply } from './pool';
import { errorMessage } from '../errorMessage';

if (!parentPort) throw new Error('offlineWorker runs only as a worker thread of the offline checks pool');
const port = parentPort;

port.on('message', (job: OfflineJob) => {
  runOfflineCheckPart(job.unit, job.config, job.part ?? wholeFilePart(job.unit.text), { symbols: job.symbols }).then(
    (result) => port.postMessage({ id: job.id, ...result } satisfies OfflineReply),
    (error: unknown) => port.postMessage({ id: job.id, error: errorMessage(error) } satisfies OfflineReply),
  );
});
