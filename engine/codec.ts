// How the runtime turns Kafka bytes into processor values and back. Avro inputs and outputs go
// through the project's one wire-format module (avro/serde.ts); `raw` inputs and schema-less
// outputs are bytes as they are.

import type { Serde } from '../avro/serde.ts';
import { ProcessorContractError } from './task-core.ts';
import type { InputSpec, OutputSpec, ProcessorDefinition } from './types.ts';

export interface RecordCodec {
  /** Registers the output schemas and loads the schemas of a batch's inputs, before the sync calls. */
  prepareOutputs(definition: ProcessorDefinition): Promise<void>;
  prepareInputs(buffers: (Buffer | null)[]): Promise<void>;
  /** Throws DecodeError on bytes that are not a record of a known schema. */
  decode(input: InputSpec, bytes: Buffer | null): unknown;
  encode(spec: OutputSpec, value: unknown): Buffer | null;
}

function rawBytes(spec: OutputSpec, value: unknown): Buffer | null {
  if (value === null) return null;
  if (Buffer.isBuffer(value)) return value;
  if (typeof value === 'string') return Buffer.from(value);
  throw new ProcessorContractError(`output topic ${spec.topic} has no schema: forward a Buffer, a string or null`);
}

/** Avro through the Serde for specs that ask for it; raw bytes for the others. */
export function serdeCodec(serde: Serde | null): RecordCodec {
  const needSerde = (what: string): Serde => {
    if (serde === null) {
      throw new ProcessorContractError(`${what} is Avro but no schema registry is configured (run \`loyalty stack up\` or set SCHEMA_REGISTRY_URL)`);
    }
    return serde;
  };
  return {
    async prepareOutputs(definition) {
      for (const spec of Object.values(definition.outputs)) {
        if (spec.schema !== undefined) await needSerde(`output ${spec.topic}`).prepare(spec.topic, spec.schema);
      }
    },
    async prepareInputs(buffers) {
      if (serde !== null) await serde.ensureSchemas(buffers);
    },
    decode(input, bytes) {
      if ((input.format ?? 'avro') === 'raw' || bytes === null) return bytes;
      return needSerde(`input ${input.topic}`).decodeSync(bytes).value;
    },
    encode(spec, value) {
      if (spec.schema === undefined) return rawBytes(spec, value);
      if (value === null) return null;
      return needSerde(`output ${spec.topic}`).encodeSync(spec.topic, value);
    },
  };
}
