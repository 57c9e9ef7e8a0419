// Watermark records: stream-time ticks with the `x-watermark` header and no value, written to
// every partition of a topic (used by `loyalty clock tick --to T`).

import { Kafka } from './kafka.ts';
import { kafkaClientConfig, type SecuredConfig } from './client-options.ts';
import { ValidationError } from './errors.ts';
import { WATERMARK_HEADER } from './types.ts';

/** Produces one watermark record with stream time `time` (epoch millis) to every partition of `topic`. */
export async function writeWatermark(config: SecuredConfig, topic: string, time: number): Promise<number> {
  if (!Number.isSafeInteger(time) || time < 0) throw new ValidationError('time', 'epoch milliseconds (a non-negative integer)');
  const kafka = new Kafka(kafkaClientConfig(config, `${config.appId}-clock`));
  const admin = kafka.admin();
  const producer = kafka.producer({ idempotent: true });
  await Promise.all([admin.connect(), producer.connect()]);
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    const partitions = topics[0]?.partitions.map((partition) => partition.partitionId) ?? [];
    await producer.send({
      topic,
      messages: partitions.map((partition) => ({ partition, key: null, value: null, headers: { [WATERMARK_HEADER]: String(time) } })),
    });
    return partitions.length;
  } finally {
    await Promise.all([admin.disconnect(), producer.disconnect()]);
  }
}
