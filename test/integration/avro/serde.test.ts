// The wire-format module against our registry on the real broker: Confluent framing, cached ids,
// sync fast path, clear DecodeErrors, and reading an older writer schema into today's shape.
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { fromPlainJsonText } from '../../../avro/json.ts';
import { RECORD_FILES, RECORD_NAMES } from '../../../avro/schemas.ts';
import { Serde } from '../../../avro/serde.ts';
import { DecodeError, ValidationError } from '../../../engine/errors.ts';
import { startTestRegistry, stopTestRegistry, type TestRegistry } from '../registry/helpers.ts';

let registry: TestRegistry | undefined;
const url = (): string => (registry as TestRegistry).url;
const fixture = (name: string): string =>
  readFileSync(new URL(`../../fixtures/avro/${RECORD_FILES[name as keyof typeof RECORD_FILES].replace('.avsc', '.json')}`, import.meta.url), 'utf8').trim();

before(async () => {
  registry = await startTestRegistry();
});
after(async () => {
  await stopTestRegistry(registry);
});

test('every record round-trips through encode/decode with Confluent framing', async () => {
  const serde = new Serde(url());
  for (const name of RECORD_NAMES) {
    const value = fromPlainJsonText(name, fixture(name));
    const topic = `serde-${name.split('.').pop()}`;
    const buf = await serde.encode(topic, name, value);
    assert.equal(buf[0], 0);
    const id = buf.readUInt32BE(1);
    const fresh = new Serde(url());
    const decoded = await fresh.decode(buf);
    assert.deepEqual(decoded, { schemaId: id, fullName: name, value });
    assert.equal(Object.getPrototypeOf(decoded.value), Object.prototype, 'decoded values are plain objects');
  }
});

test('prepare caches the id; encodeSync and decodeSync need no registry afterwards', async () => {
  const serde = new Serde(url());
  const name = 'loyalty.ledger.LedgerEntry';
  const id = await serde.prepare('serde-sync', name);
  assert.equal(await serde.prepare('serde-sync', name), id);
  const value = fromPlainJsonText(name, fixture(name));
  const buf = serde.encodeSync('serde-sync', value);
  assert.deepEqual(serde.decodeSync(buf).value, value);
  const reader = new Serde(url());
  assert.throws(() => reader.decodeSync(buf), (err: unknown) => err instanceof DecodeError && /not loaded yet/.test(err.message));
  await reader.ensureSchemas([buf, Buffer.from('junk')]);
  assert.deepEqual(reader.decodeSync(buf).value, value);
});

test('encoding an invalid value names the field', async () => {
  const serde = new Serde(url());
  await serde.prepare('serde-invalid', 'loyalty.ledger.LedgerEntry');
  const value = { ...fromPlainJsonText<Record<string, unknown>>('loyalty.ledger.LedgerEntry', fixture('loyalty.ledger.LedgerEntry')), pendingDelta: 1.5 };
  assert.throws(() => serde.encodeSync('serde-invalid', value), (err: unknown) => err instanceof ValidationError && err.path === 'pendingDelta');
});

test('bad bytes give clear DecodeErrors', async () => {
  const serde = new Serde(url());
  const good = await serde.encode('serde-bad', 'loyalty.commands.Command', fromPlainJsonText('loyalty.commands.Command', fixture('loyalty.commands.Command')));
  const unknownId = Buffer.from(good);
  unknownId.writeUInt32BE(987654, 1);
  const cases: [string, Buffer | null, RegExp][] = [
    ['no value', null, /not Confluent-framed Avro: no value/],
    ['too short', Buffer.from([0, 0, 0]), /3 bytes, need at least 5/],
    ['JSON text', Buffer.from('{"commandId":"x"}'), /first byte is 0x7b, expected 0x00/],
    ['unknown schema id', unknownId, /unknown schema id 987654/],
    ['truncated', good.subarray(0, good.length - 3), /truncated|corrupt/],
    ['trailing bytes', Buffer.concat([good, Buffer.from([1, 2])]), /2 unexpected trailing bytes/],
  ];
  for (const [name, buf, message] of cases) {
    await assert.rejects(serde.decode(buf), (err: unknown) => err instanceof DecodeError && err.code === 'UNDECODABLE' && message.test(err.message), name);
  }
});

test('a record written with an older schema decodes into today\'s shape (employee defaults to false)', async () => {
  const old = JSON.parse(readFileSync(new URL('../../../avro/OrderEvent.avsc', import.meta.url), 'utf8')) as { fields: { name: string }[] };
  old.fields = old.fields.filter((f) => f.name !== 'employee');
  const client = new SchemaRegistry({ host: url() });
  const { id } = await client.register({ type: SchemaType.AVRO, schema: JSON.stringify(old) }, { subject: 'serde-old-value' });
  const current = fromPlainJsonText<Record<string, unknown>>('loyalty.orders.OrderEvent', fixture('loyalty.orders.OrderEvent'));
  const { employee: _employee, ...withoutEmployee } = current;
  const buf = await client.encode(id, withoutEmployee);
  const decoded = await new Serde(url()).decode(buf);
  assert.equal(decoded.schemaId, id);
  assert.deepEqual(decoded.value, { ...withoutEmployee, employee: false });
});
