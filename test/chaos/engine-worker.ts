// A child process for the engine chaos tests: the running-sum processor (see worker-main.ts).
import { runningSum } from '../integration/engine/running-sum.ts';
import { runChaosWorker } from './worker-main.ts';

await runChaosWorker((settings) => runningSum(settings.input, settings.output), 64 * 1024);
