// stack/kafka/broker.ts: the single-node KRaft configuration carries every setting a one-broker
// cluster needs (without RF 1 for the internal topics, groups and transactions never come up).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { log4jProperties, serverProperties } from '../../../stack/kafka/broker.ts';

function parse(text: string): Map<string, string> {
  const entries = text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#')).map((l) => {
    const at = l.indexOf('=');
    return [l.slice(0, at), l.slice(at + 1)] as [string, string];
  });
  return new Map(entries);
}

describe('serverProperties', () => {
  const props = parse(serverProperties(19092, 19093, '/data/kafka'));
  const expected: [string, string][] = [
    ['process.roles', 'broker,controller'],
    ['controller.quorum.voters', '1@127.0.0.1:19093'],
    ['listeners', 'PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093'],
    ['advertised.listeners', 'PLAINTEXT://127.0.0.1:19092'],
    ['controller.listener.names', 'CONTROLLER'],
    ['log.dirs', '/data/kafka'],
    ['offsets.topic.replication.factor', '1'],
    ['transaction.state.log.replication.factor', '1'],
    ['transaction.state.log.min.isr', '1'],
    ['group.initial.rebalance.delay.ms', '0'],
    ['group.min.session.timeout.ms', '1000'],
    ['auto.create.topics.enable', 'false'],
    ['transaction.abort.timed.out.transaction.cleanup.interval.ms', '5000'],
  ];
  for (const [key, value] of expected) {
    test(`${key}=${value}`, () => {
      assert.equal(props.get(key), value);
    });
  }

  test('no key is set twice', () => {
    const keys = serverProperties(1, 2, '/d').split('\n').filter((l) => l.includes('=') && !l.startsWith('#')).map((l) => l.split('=')[0]);
    assert.equal(new Set(keys).size, keys.length);
  });
});

describe('log4jProperties', () => {
  test('logs to a rolling file in the given folder', () => {
    const props = parse(log4jProperties('/logs/kafka'));
    assert.equal(props.get('log4j.appender.file.File'), '/logs/kafka/server.log');
    assert.equal(props.get('log4j.appender.file'), 'org.apache.log4j.RollingFileAppender');
  });
});
