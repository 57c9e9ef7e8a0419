// The processor set: names, topic prefixing, and member/card-fraud agreeing on shared topics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createProcessors, PROCESSOR_NAMES } from '../../../processors/index.ts';
import { loadProgram } from '../../../processors/program.ts';

const program = loadProgram();

test('every named processor is built, with the default topics of ARCHITECTURE.md', () => {
  const processors = createProcessors({ program, topicPrefix: '' });
  assert.deepEqual(Object.keys(processors), [...PROCESSOR_NAMES]);
  assert.deepEqual(processors.member.inputs.map((i) => i.topic), ['orders.v1', 'fraud.signals.v1', 'loyalty.commands.v1']);
  assert.deepEqual(processors['card-fraud'].inputs.map((i) => i.topic), [processors.member.outputs.byCard?.topic]);
  assert.equal(processors['card-fraud'].outputs.signals?.topic, 'fraud.signals.v1');
});

test('a prefix applies to every topic; explicit names win', () => {
  const processors = createProcessors({ program, topicPrefix: 't42', topics: { ledger: 'custom.ledger' } });
  assert.deepEqual(processors.member.inputs.map((i) => i.topic), ['t42.orders.v1', 't42.fraud.signals.v1', 't42.loyalty.commands.v1']);
  assert.equal(processors.member.outputs.ledger?.topic, 'custom.ledger');
  assert.equal(processors.member.globals?.campaigns?.topic, 't42.campaigns.v1');
  assert.deepEqual(processors['card-fraud'].inputs.map((i) => i.topic), ['t42.orders.by-card.v1']);
});
