/** `dist/url/worker.js`: the pool worker of `neurite/url` (see `worker.ts`). */
import { workerMain } from './worker.js';

void workerMain();
