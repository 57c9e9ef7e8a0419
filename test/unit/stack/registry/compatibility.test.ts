// Compatibility levels and the messages that name the field at fault, on small schemas.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import avro from 'avsc';
import type { Schema, Type } from 'avsc';
import { COMPATIBILITY_LEVELS, compatibilityProblems, isCompatibilityLevel, readProblem } from '../../../../stack/registry/compatibility.ts';

const record = (fields: unknown[]): Type => avro.Type.forSchema({ type: 'record', name: 'R', namespace: 't', fields } as Schema, { wrapUnions: false });
const A = { name: 'a', type: 'string' };
const color = (symbols: string[]): unknown => ({ name: 'c', type: { type: 'enum', name: 'Color', symbols } });

describe('readProblem names the field', () => {
  const cases: [string, Type, Type, RegExp | null][] = [
    ['same schema', record([A]), record([A]), null],
    ['reader adds a field with a default', record([A, { name: 'b', type: 'int', default: 0 }]), record([A]), null],
    ['reader adds a field without a default', record([A, { name: 'b', type: 'int' }]), record([A]), /field 'b' is missing in the writer's schema and has no default/],
    ['int widens to long', record([{ name: 'n', type: 'long' }]), record([{ name: 'n', type: 'int' }]), null],
    ['long narrows to int', record([{ name: 'n', type: 'int' }]), record([{ name: 'n', type: 'long' }]), /field 'n': long cannot be read as int/],
    ['enum symbol unknown to the reader', record([color(['RED'])]), record([color(['RED', 'BLUE'])]), /field 'c': enum symbol\(s\) BLUE unknown to the reader/],
    ['nested record field', record([{ name: 'p', type: { type: 'record', name: 'P', fields: [{ name: 'x', type: 'int' }] } }]),
      record([{ name: 'p', type: { type: 'record', name: 'P', fields: [{ name: 'x', type: 'string' }] } }]), /field 'p\.x': string cannot be read as int/],
    ['nullable made required', record([{ name: 'm', type: 'string' }]), record([{ name: 'm', type: ['null', 'string'], default: null }]), /field 'm': writer's null cannot be read as string/],
    ['required made nullable', record([{ name: 'm', type: ['null', 'string'], default: null }]), record([{ name: 'm', type: 'string' }]), null],
  ];
  for (const [name, reader, writer, expected] of cases) {
    test(name, () => {
      const problem = readProblem(reader, writer);
      if (expected === null) assert.equal(problem, null);
      else assert.match(problem ?? '', expected);
    });
  }
});

describe('levels', () => {
  const v1 = record([A]);
  const addedWithDefault = record([A, { name: 'b', type: 'int', default: 0 }]);
  const addedRequired = record([A, { name: 'b', type: 'int' }]);
  const removedA = record([{ name: 'z', type: 'int', default: 0 }]);
  test('every level name is recognised', () => {
    for (const level of COMPATIBILITY_LEVELS) assert.ok(isCompatibilityLevel(level));
    assert.ok(!isCompatibilityLevel('backward'));
  });
  test('NONE accepts anything; a first version is always accepted', () => {
    assert.deepEqual(compatibilityProblems('NONE', record([{ name: 'a', type: 'long' }]), [v1]), []);
    assert.deepEqual(compatibilityProblems('FULL_TRANSITIVE', addedRequired, []), []);
  });
  test('BACKWARD: new reads old', () => {
    assert.deepEqual(compatibilityProblems('BACKWARD', addedWithDefault, [v1]), []);
    assert.match(compatibilityProblems('BACKWARD', addedRequired, [v1]).join(), /new schema cannot read.*field 'b'/);
  });
  test('FORWARD: old reads new', () => {
    assert.deepEqual(compatibilityProblems('FORWARD', addedRequired, [v1]), []);
    assert.match(compatibilityProblems('FORWARD', removedA, [v1]).join(), /an older schema cannot read.*field 'a'/);
  });
  test('FULL: both ways', () => {
    assert.deepEqual(compatibilityProblems('FULL', addedWithDefault, [v1]), []);
    assert.equal(compatibilityProblems('FULL', addedRequired, [v1]).length, 1);
  });
  test('non-transitive levels check the latest only; transitive ones every version', () => {
    const chain = [record([{ name: 'a', type: 'string', default: 'x' }]), record([{ name: 'c', type: 'int', default: 0 }])];
    const next = record([{ name: 'a', type: 'int', default: 0 }]);
    assert.deepEqual(compatibilityProblems('BACKWARD', next, chain), []);
    assert.match(compatibilityProblems('BACKWARD_TRANSITIVE', next, chain).join(), /field 'a': string cannot be read as int/);
  });
});
