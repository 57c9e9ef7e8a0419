// `loyalty clock tick --to T`: advances stream time without orders. A watermark record (header
// x-watermark = T, no value) goes to every partition of the processors' input topics, so timers
// due by T (activations, expiries) fire even for members with no further orders. Results still
// depend only on event time: T is an event time the operator chooses, never the wall clock.
import type { Command } from 'commander';
import { writeWatermark } from '../../engine/watermark.ts';
import { asKafkaError, kafkaFor, partitionsOf, securedConfig, topicArg, topicPrefix, withAdmin, withConnectionOptions, type ConnectionFlags } from '../ops/connect.ts';
import { parseTime } from '../ops/position.ts';
import { processorInputTopics } from '../ops/processors.ts';
import { printJson } from '../output.ts';

interface TickFlags extends ConnectionFlags {
  to: string;
  topic?: string[];
  json?: boolean;
}

export function register(program: Command): void {
  const clock = program.command('clock').description('stream time: advance it with watermark records');
  const tick = clock
    .command('tick')
    .description('write a watermark at --to to every partition of the input topics')
    .requiredOption('--to <time>', 'stream time to advance to (RFC 3339 with offset, or epoch millis)')
    .option('--topic <topic...>', 'only these topics (default: every processor input topic)')
    .option('--json', 'print what was written as JSON');
  withConnectionOptions(tick).addHelpText('after', `
Examples:
  loyalty clock tick --to 2026-02-01T00:00:00Z
  loyalty clock tick --to 1769904000000 --topic orders.v1 --json

Exit codes: 0 done, 1 failed, 2 bad flags or unknown topic, 3 Kafka unreachable.`)
    .action(async (flags: TickFlags) => {
      const time = parseTime(flags.to, '--to');
      const config = securedConfig(flags);
      const topics = flags.topic?.map((t) => topicArg(t, flags)) ?? processorInputTopics(topicPrefix(flags));
      await withAdmin(kafkaFor(config, 'loyalty-cli-clock'), async (admin) => {
        for (const topic of topics) await partitionsOf(admin, topic);
      });
      // writeWatermark sends unkeyed records to explicit partitions: kafkajs's partitioner notice is noise here.
      process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
      const written: { topic: string; partitions: number }[] = [];
      try {
        for (const topic of topics) written.push({ topic, partitions: await writeWatermark(config, topic, time) });
      } catch (err) {
        throw asKafkaError(err);
      }
      const at = new Date(time).toISOString();
      if (flags.json) printJson({ time, at, topics: written });
      else for (const w of written) process.stdout.write(`watermark ${at} written to ${w.partitions} partitions of ${w.topic}\n`);
    });
}
