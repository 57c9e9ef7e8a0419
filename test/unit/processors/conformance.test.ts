// The conformance scenario of RULES.md (fixtures copied from the shared conformance folder):
// every number of expected.json must be reproduced, and a replay must be byte-identical.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { TestDriver } from '../../../engine/test-driver.ts';
import { createMemberProcessor } from '../../../processors/member/processor.ts';
import { parseProgram } from '../../../processors/program.ts';
import { readJson, runScenario, scenarioDir, summarize } from './scenario-runner.ts';

const SCENARIO = 'scenario-101';

test(`${SCENARIO}: every section of expected.json is reproduced`, () => {
  const expected = readJson(scenarioDir(SCENARIO), 'expected.json') as Record<string, unknown>;
  const actual = summarize(runScenario(SCENARIO));
  for (const section of Object.keys(expected).sort()) {
    assert.deepStrictEqual(actual[section], expected[section], `section ${section}`);
  }
  assert.deepStrictEqual(Object.keys(actual).sort(), Object.keys(expected).sort());
});

test(`${SCENARIO}: the same input twice gives byte-identical outputs`, () => {
  const outputsOf = (): string => {
    const run = runScenario(SCENARIO);
    const names = ['ledger', 'members', 'decisions', 'signals', 'byCard'];
    return JSON.stringify({
      member: names.map((name) => run.member.outputs(name)),
      card: run.card.outputs('signals'),
      deadLetters: run.member.deadLetters(),
    });
  };
  const first = outputsOf();
  const second = outputsOf();
  assert.ok(first.length > 1_000_000, 'the scenario produces outputs');
  assert.equal(first, second);
});

test(`${SCENARIO}: every line of bad.jsonl reaching the processor goes to the DLQ as SCHEMA_VIOLATION`, () => {
  const program = parseProgram(readJson(scenarioDir(SCENARIO), 'program.json'));
  const driver = new TestDriver(createMemberProcessor({ program }));
  const lines = fs.readFileSync(new URL('bad.jsonl', scenarioDir(SCENARIO)), 'utf8').split('\n').filter((l) => l.trim() !== '');
  for (const line of lines) {
    const value = JSON.parse(line) as { memberId?: string | null; orderId?: string };
    driver.pipe('orders.v1', value.memberId ?? value.orderId ?? null, value);
  }
  assert.ok(lines.length > 0);
  assert.deepEqual(driver.deadLetters().map((d) => d.reason), lines.map(() => 'SCHEMA_VIOLATION'));
  assert.deepEqual(driver.outputs('ledger'), []);
});
