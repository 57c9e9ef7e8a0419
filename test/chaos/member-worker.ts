// A child process for the member chaos test: the member processor over the topics prefixed with
// the test's app id, so every topic of the run is private to the test (see worker-main.ts).
import { createProcessors } from '../../processors/index.ts';
import { loadProgram } from '../../processors/program.ts';
import { runChaosWorker } from './worker-main.ts';

await runChaosWorker((settings) => createProcessors({ program: loadProgram(), topicPrefix: settings.appId }).member, 16 * 1024);
