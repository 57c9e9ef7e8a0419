import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../../../engine/errors.ts';
import { serverProperties } from '../../../../stack/kafka/broker.ts';
import { addScramArgs, withSaslListener } from '../../../../stack/kafka/sasl.ts';

function property(text: string, key: string): string | undefined {
  return text.split('\n').find((line) => line.startsWith(`${key}=`))?.slice(key.length + 1);
}

describe('withSaslListener', () => {
  const base = serverProperties(39092, 39093, '/data/kafka');
  const sasl = withSaslListener(base, 39094);

  test('adds a SASL_PLAINTEXT listener next to the existing ones, bound and advertised on 127.0.0.1', () => {
    assert.equal(property(sasl, 'listeners'), 'PLAINTEXT://127.0.0.1:39092,CONTROLLER://127.0.0.1:39093,SASL_PLAINTEXT://127.0.0.1:39094');
    assert.equal(property(sasl, 'advertised.listeners'), 'PLAINTEXT://127.0.0.1:39092,SASL_PLAINTEXT://127.0.0.1:39094');
    assert.equal(property(sasl, 'listener.security.protocol.map'), 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT');
  });

  test('enables both SCRAM mechanisms with a JAAS login module on that listener only', () => {
    assert.equal(property(sasl, 'sasl.enabled.mechanisms'), 'SCRAM-SHA-256,SCRAM-SHA-512');
    assert.match(property(sasl, 'listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config') ?? '', /ScramLoginModule required;$/);
    assert.match(property(sasl, 'listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config') ?? '', /ScramLoginModule required;$/);
    assert.equal(property(sasl, 'inter.broker.listener.name'), 'PLAINTEXT');
  });

  test('every key appears once (Java properties would silently keep the last)', () => {
    const keys = sasl.split('\n').filter((l) => l.includes('=') && !l.startsWith('#')).map((l) => l.slice(0, l.indexOf('=')));
    assert.equal(new Set(keys).size, keys.length);
  });

  test('refuses properties without a listeners line', () => {
    assert.throws(() => withSaslListener('node.id=1\n', 1), ConfigError);
  });
});

describe('addScramArgs', () => {
  test('one --add-scram per user in StorageTool syntax', () => {
    assert.deepEqual(addScramArgs([
      { name: 'svc', password: 'p1', mechanism: 'SCRAM-SHA-256' },
      { name: 'ops', password: 'p2', mechanism: 'SCRAM-SHA-512' },
    ]), ['--add-scram', 'SCRAM-SHA-256=[name=svc,password=p1]', '--add-scram', 'SCRAM-SHA-512=[name=ops,password=p2]']);
  });

  test('refuses characters that would break the syntax, without echoing the password', () => {
    assert.throws(() => addScramArgs([{ name: 'a,b', password: 'p', mechanism: 'SCRAM-SHA-256' }]), /name "a,b"/);
    assert.throws(() => addScramArgs([{ name: 'a', password: 'se]cret', mechanism: 'SCRAM-SHA-256' }]), (err: Error) => !err.message.includes('se]cret'));
    assert.throws(() => addScramArgs([{ name: '', password: 'p', mechanism: 'SCRAM-SHA-256' }]), ConfigError);
  });
});
