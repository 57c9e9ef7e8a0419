// The registry's state as a fold over its log: ids, versions, deletes and config, and a replay of
// the same log giving the same answers (what makes restarts keep ids).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RegistryApiError } from '../../../../stack/registry/errors.ts';
import { RegistryState, parseCandidate, type LogRecord } from '../../../../stack/registry/state.ts';

const schema = (fields: unknown[]): string => JSON.stringify({ type: 'record', name: 'R', fields });
const v1 = schema([{ name: 'a', type: 'string' }]);
const v2 = schema([{ name: 'a', type: 'string' }, { name: 'b', type: 'int', default: 0 }]);

/** A state with a log: every planned record is applied and kept, like the server does. */
function logged(): { state: RegistryState; log: LogRecord[]; register: (subject: string, text: string) => number } {
  const state = new RegistryState();
  const log: LogRecord[] = [];
  return {
    state,
    log,
    register(subject, text) {
      const candidate = parseCandidate(text, undefined);
      const plan = state.planRegister(subject, candidate.text, candidate.type);
      if (plan.record) {
        log.push(plan.record);
        state.apply(plan.record);
      }
      return plan.id;
    },
  };
}

function apiError(fn: () => unknown): RegistryApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof RegistryApiError) return err;
    throw err;
  }
  assert.fail('expected a RegistryApiError');
}

test('ids are global and per schema text; versions are per subject', () => {
  const { state, register } = logged();
  assert.equal(register('a-value', v1), 1);
  assert.equal(register('a-value', v1), 1);
  assert.equal(register('b-value', v1), 1);
  assert.equal(register('a-value', v2), 2);
  assert.deepEqual(state.versions('a-value').map((v) => [v.version, v.id]), [[1, 1], [2, 2]]);
  assert.deepEqual(state.versions('b-value').map((v) => [v.version, v.id]), [[1, 1]]);
  assert.equal(register('a-value', JSON.stringify(JSON.parse(v2), null, 2)), 2, 'whitespace does not make a new schema');
});

test('replaying the log rebuilds the same state', () => {
  const { state, log, register } = logged();
  register('a-value', v1);
  register('a-value', v2);
  register('c-value', v2);
  const replayed = new RegistryState();
  for (const record of log) replayed.apply(record);
  for (const subject of ['a-value', 'c-value']) assert.deepEqual(replayed.versions(subject).map((v) => [v.version, v.id, v.schema]), state.versions(subject).map((v) => [v.version, v.id, v.schema]));
  assert.equal(replayed.schemaById(2), v2);
});

test('errors carry Confluent codes', () => {
  const { state, register } = logged();
  register('a-value', v1);
  assert.equal(apiError(() => state.versions('x')).errorCode, 40401);
  assert.equal(apiError(() => state.version('a-value', '9')).errorCode, 40402);
  assert.equal(apiError(() => state.schemaById(77)).errorCode, 40403);
  assert.equal(apiError(() => state.version('a-value', 'first')).errorCode, 42202);
  assert.equal(apiError(() => parseCandidate('{"type":"nope"}', undefined)).errorCode, 42201);
  assert.equal(apiError(() => parseCandidate(v1, 'PROTOBUF')).errorCode, 42201);
  const incompatible = apiError(() => register('a-value', schema([{ name: 'a', type: 'string' }, { name: 'z', type: 'long' }])));
  assert.equal(incompatible.status, 409);
  assert.match(incompatible.message, /field 'z' is missing in the writer's schema and has no default/);
});

test('a soft-deleted version keeps its number; registering again makes a new version with the same id', () => {
  const { state, log, register } = logged();
  register('a-value', v1);
  register('a-value', v2);
  const plan = state.planDelete('a-value', '2', false);
  for (const r of plan.records) {
    log.push(r);
    state.apply(r);
  }
  assert.deepEqual(state.versions('a-value').map((v) => v.version), [1]);
  assert.equal(register('a-value', v2), 2);
  assert.deepEqual(state.versions('a-value').map((v) => [v.version, v.id]), [[1, 1], [3, 2]]);
});

test('config: subject level over global over BACKWARD', () => {
  const state = new RegistryState();
  assert.equal(state.compatibility('s'), 'BACKWARD');
  state.apply({ key: { keytype: 'CONFIG', subject: null, magic: 0 }, value: { compatibilityLevel: 'FULL' } });
  assert.equal(state.compatibility('s'), 'FULL');
  state.apply({ key: { keytype: 'CONFIG', subject: 's', magic: 0 }, value: { compatibilityLevel: 'NONE' } });
  assert.equal(state.compatibility('s'), 'NONE');
  state.apply({ key: { keytype: 'CONFIG', subject: 's', magic: 0 }, value: null });
  assert.equal(state.compatibility('s'), 'FULL');
});
