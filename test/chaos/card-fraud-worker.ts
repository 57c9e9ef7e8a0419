// A child process for the card-fraud chaos test: the card-fraud processor over the test's topics (see worker-main.ts).
import { createCardFraudProcessor } from '../../processors/card-fraud/processor.ts';
import { loadProgram } from '../../processors/program.ts';
import { runChaosWorker } from './worker-main.ts';

await runChaosWorker(
  (settings) => createCardFraudProcessor({ program: loadProgram(), topics: { byCard: settings.input, signals: settings.output } }),
  16 * 1024,
);
