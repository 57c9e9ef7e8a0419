// The schema registry on the real broker: Confluent's client works against it, errors have
// Confluent's codes and bodies, compatibility levels accept and refuse as Confluent's do, and ids
// survive a restart through the compacted log topic.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { CONTENT_TYPE, http, recordSchema, startTestRegistry, stopTestRegistry, type TestRegistry } from './helpers.ts';

const A = { name: 'a', type: 'string' };
const v1 = recordSchema([A]);
const withDefault = recordSchema([A, { name: 'b', type: 'int', default: 0 }]);
const withoutDefault = recordSchema([A, { name: 'b', type: 'int' }]);

let registry: TestRegistry | undefined;
const url = (): string => (registry as TestRegistry).url;

before(async () => {
  registry = await startTestRegistry();
});
after(async () => {
  await stopTestRegistry(registry);
});

describe('with @kafkajs/confluent-schema-registry as the client', () => {
  test('register, encode, decode, latest id; same schema gives the same id, also across subjects', async () => {
    const client = new SchemaRegistry({ host: url() });
    const { id } = await client.register({ type: SchemaType.AVRO, schema: v1 }, { subject: 'client-a-value' });
    assert.equal((await client.register({ type: SchemaType.AVRO, schema: v1 }, { subject: 'client-a-value' })).id, id);
    assert.equal((await client.register({ type: SchemaType.AVRO, schema: v1 }, { subject: 'client-b-value' })).id, id);
    assert.equal(await client.getLatestSchemaId('client-a-value'), id);
    const encoded = await client.encode(id, { a: 'hello' });
    assert.equal(encoded[0], 0);
    assert.equal(encoded.readUInt32BE(1), id);
    assert.deepEqual({ ...(await client.decode(encoded) as object) }, { a: 'hello' });
    const { id: id2 } = await client.register({ type: SchemaType.AVRO, schema: withDefault }, { subject: 'client-a-value' });
    assert.notEqual(id2, id);
    assert.equal(await client.getRegistryId('client-a-value', 1), id);
    assert.equal(await client.getRegistryId('client-a-value', 2), id2);
  });

  test('an incompatible schema is refused with 409', async () => {
    const client = new SchemaRegistry({ host: url() });
    await client.register({ type: SchemaType.AVRO, schema: v1 }, { subject: 'client-c-value' });
    await assert.rejects(client.register({ type: SchemaType.AVRO, schema: withoutDefault }, { subject: 'client-c-value' }), /409|incompatible/i);
  });
});

describe('raw HTTP', () => {
  test('lookup, versions, schema by id and the raw schema endpoints', async () => {
    const base = url();
    const { json: registered } = await http(base, 'POST', '/subjects/raw-value/versions', { schema: v1 });
    const id = (registered as { id: number }).id;
    const lookup = await http(base, 'POST', '/subjects/raw-value', { schema: v1 });
    assert.deepEqual(lookup.json, { subject: 'raw-value', version: 1, id, schema: v1 });
    assert.equal(lookup.type, CONTENT_TYPE);
    assert.deepEqual((await http(base, 'GET', `/schemas/ids/${id}`)).json, { schema: v1 });
    assert.deepEqual((await http(base, 'GET', `/schemas/ids/${id}/schema`)).json, JSON.parse(v1));
    assert.deepEqual((await http(base, 'GET', '/subjects/raw-value/versions')).json, [1]);
    assert.deepEqual((await http(base, 'GET', '/subjects/raw-value/versions/latest/schema')).json, JSON.parse(v1));
    assert.ok(((await http(base, 'GET', '/subjects')).json as string[]).includes('raw-value'));
  });

  const errorCases: [string, string, string, unknown, number, number][] = [
    ['unknown subject', 'GET', '/subjects/missing-value/versions', undefined, 404, 40401],
    ['unknown version', 'GET', '/subjects/err-value/versions/7', undefined, 404, 40402],
    ['unknown schema id', 'GET', '/schemas/ids/999999', undefined, 404, 40403],
    ['lookup of a schema the subject lacks', 'POST', '/subjects/err-value', { schema: withDefault }, 404, 40403],
    ['invalid schema', 'POST', '/subjects/err-value/versions', { schema: '{"type":"record","name":"R"}' }, 422, 42201],
    ['schema that is not JSON', 'POST', '/subjects/err-value/versions', { schema: 'not json' }, 422, 42201],
    ['body that is not JSON', 'POST', '/subjects/err-value/versions', '{oops', 422, 42201],
    ['invalid version', 'GET', '/subjects/err-value/versions/abc', undefined, 422, 42202],
    ['version zero', 'GET', '/subjects/err-value/versions/0', undefined, 422, 42202],
    ['invalid compatibility level', 'PUT', '/config', { compatibility: 'SIDEWAYS' }, 422, 42203],
    ['incompatible schema', 'POST', '/subjects/err-value/versions', { schema: withoutDefault }, 409, 409],
  ];
  for (const [name, method, path, body, status, code] of errorCases) {
    test(`${name}: ${status} / ${code} in Confluent's body and content type`, async () => {
      await http(url(), 'POST', '/subjects/err-value/versions', { schema: v1 });
      const response = await http(url(), method, path, body);
      assert.equal(response.status, status);
      assert.equal(response.type, CONTENT_TYPE);
      const error = response.json as { error_code: number; message: string };
      assert.equal(error.error_code, code);
      assert.equal(typeof error.message, 'string');
    });
  }

  test('config: global and per subject', async () => {
    const base = url();
    assert.deepEqual((await http(base, 'GET', '/config')).json, { compatibilityLevel: 'BACKWARD' });
    assert.equal((await http(base, 'GET', '/config/cfg-value')).status, 404);
    assert.deepEqual((await http(base, 'GET', '/config/cfg-value?defaultToGlobal=true')).json, { compatibilityLevel: 'BACKWARD' });
    assert.deepEqual((await http(base, 'PUT', '/config/cfg-value', { compatibility: 'FULL' })).json, { compatibility: 'FULL' });
    assert.deepEqual((await http(base, 'GET', '/config/cfg-value')).json, { compatibilityLevel: 'FULL' });
    assert.deepEqual((await http(base, 'GET', '/config')).json, { compatibilityLevel: 'BACKWARD' });
  });

  test('soft delete hides a version, permanent delete needs a soft delete first', async () => {
    const base = url();
    await http(base, 'POST', '/subjects/del-value/versions', { schema: v1 });
    await http(base, 'POST', '/subjects/del-value/versions', { schema: withDefault });
    assert.equal((await http(base, 'DELETE', '/subjects/del-value/versions/1?permanent=true')).status, 404);
    assert.equal((await http(base, 'DELETE', '/subjects/del-value/versions/1')).json, 1);
    assert.deepEqual((await http(base, 'GET', '/subjects/del-value/versions')).json, [2]);
    assert.deepEqual((await http(base, 'GET', '/subjects/del-value/versions?deleted=true')).json, [1, 2]);
    assert.equal((await http(base, 'DELETE', '/subjects/del-value/versions/1?permanent=true')).json, 1);
    assert.deepEqual((await http(base, 'GET', '/subjects/del-value/versions?deleted=true')).json, [2]);
    assert.deepEqual((await http(base, 'DELETE', '/subjects/del-value')).json, [2]);
    assert.equal((await http(base, 'GET', '/subjects/del-value/versions')).status, 404);
    assert.ok(!((await http(base, 'GET', '/subjects')).json as string[]).includes('del-value'));
    assert.deepEqual((await http(base, 'DELETE', '/subjects/del-value?permanent=true')).json, [2]);
    assert.equal((await http(base, 'GET', '/subjects/del-value/versions?deleted=true')).status, 404);
  });
});

describe('compatibility levels: a compatible and an incompatible change each', () => {
  const B = (type: string, extra: object = {}): object => ({ name: 'b', type, ...extra });
  // [level, first, compatible next, incompatible next]
  const simple: [string, string, string, string][] = [
    ['NONE', v1, recordSchema([{ name: 'a', type: 'long' }]), ''],
    ['BACKWARD', v1, withDefault, withoutDefault],
    ['FORWARD', recordSchema([A, B('int', { default: 0 })]), v1, recordSchema([B('int', { default: 0 })])],
    ['FULL', v1, withDefault, withoutDefault],
  ];
  let n = 0;
  for (const [level, first, good, bad] of simple) {
    test(level, async () => {
      const subject = `compat-${level.toLowerCase()}-${n++}-value`;
      const base = url();
      await http(base, 'PUT', `/config/${subject}`, { compatibility: level });
      assert.equal((await http(base, 'POST', `/subjects/${subject}/versions`, { schema: first })).status, 200);
      if (bad) {
        const check = await http(base, 'POST', `/compatibility/subjects/${subject}/versions/latest?verbose=true`, { schema: bad });
        assert.equal((check.json as { is_compatible: boolean }).is_compatible, false);
        assert.match((check.json as { messages: string[] }).messages.join(' '), /field '(a|b)'/);
        assert.equal((await http(base, 'POST', `/subjects/${subject}/versions`, { schema: bad })).status, 409);
      }
      assert.deepEqual((await http(base, 'POST', `/compatibility/subjects/${subject}/versions/latest`, { schema: good })).json, { is_compatible: true });
      assert.equal((await http(base, 'POST', `/subjects/${subject}/versions`, { schema: good })).status, 200);
    });
  }

  // v1 -> v2 -> v3 where v3 is compatible with v2 but not with v1: transitive levels refuse it.
  const chain = [
    recordSchema([{ name: 'a', type: 'string', default: 'x' }]),
    recordSchema([{ name: 'c', type: 'int', default: 0 }]),
    recordSchema([{ name: 'a', type: 'int', default: 0 }]),
  ];
  for (const level of ['BACKWARD', 'FORWARD', 'FULL']) {
    test(`${level}_TRANSITIVE refuses what ${level} accepts`, async () => {
      const base = url();
      for (const [lvl, ok] of [[level, true], [`${level}_TRANSITIVE`, false]] as const) {
        const subject = `chain-${lvl.toLowerCase()}-value`;
        await http(base, 'PUT', `/config/${subject}`, { compatibility: lvl });
        for (const schema of chain.slice(0, 2)) assert.equal((await http(base, 'POST', `/subjects/${subject}/versions`, { schema })).status, 200);
        const last = await http(base, 'POST', `/subjects/${subject}/versions`, { schema: chain[2] });
        assert.equal(last.status, ok ? 200 : 409, `${lvl}: ${JSON.stringify(last.json)}`);
      }
    });
  }
});

describe('restart', () => {
  test('ids, versions and config survive a restart; the next id follows', async () => {
    const base = url();
    const { json } = await http(base, 'POST', '/subjects/restart-value/versions', { schema: v1 });
    const id = (json as { id: number }).id;
    await http(base, 'PUT', '/config/restart-value', { compatibility: 'NONE' });
    const idOf2 = ((await http(base, 'POST', '/subjects/restart-value/versions', { schema: withoutDefault })).json as { id: number }).id;
    registry = await (registry as TestRegistry).restart();
    const after = url();
    assert.deepEqual((await http(after, 'GET', `/schemas/ids/${id}`)).json, { schema: v1 });
    assert.deepEqual((await http(after, 'GET', '/subjects/restart-value/versions')).json, [1, 2]);
    assert.deepEqual((await http(after, 'GET', '/config/restart-value')).json, { compatibilityLevel: 'NONE' });
    assert.deepEqual((await http(after, 'POST', '/subjects/restart-value/versions', { schema: v1 })).json, { id });
    const fresh = recordSchema([A, { name: 'z', type: 'string', default: '' }]);
    const next = ((await http(after, 'POST', '/subjects/restart-value/versions', { schema: fresh })).json as { id: number }).id;
    assert.ok(next > idOf2, `new id ${next} after ${idOf2}`);
  });
});
