// Schema evolution gate: every current contract reads data written with every released version
// kept in avro/history/ (BACKWARD_TRANSITIVE), the check `loyalty schemas check` runs against a registry.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import avro from 'avsc';
import type { Schema, Type } from 'avsc';
import { RECORD_FILES, RECORD_NAMES, schemaText } from '../../../avro/schemas.ts';
import { compatibilityProblems } from '../../../stack/registry/compatibility.ts';

const historyDir = new URL('../../../avro/history/', import.meta.url);
const parse = (text: string): Type => avro.Type.forSchema(JSON.parse(text) as Schema, { wrapUnions: false });

/** Released versions of a record, oldest first, as standalone types (inlined like the registry stores them). */
function released(name: string): Type[] {
  const base = RECORD_FILES[name as keyof typeof RECORD_FILES].replace('.avsc', '');
  const files = readdirSync(historyDir).filter((f) => new RegExp(`^${base}\\.v\\d+\\.avsc$`).test(f))
    .sort((a, b) => Number(a.split('.v')[1]?.split('.')[0]) - Number(b.split('.v')[1]?.split('.')[0]));
  const registry: Record<string, Type> = {};
  if (name === 'loyalty.promotions.Campaign') {
    // Campaign uses loyalty.orders.Channel from the order contract of the same release.
    avro.Type.forSchema(JSON.parse(readFileSync(new URL('OrderEvent.v1.avsc', historyDir), 'utf8')) as Schema, { registry, wrapUnions: false });
  }
  return files.map((f) => avro.Type.forSchema(JSON.parse(readFileSync(new URL(f, historyDir), 'utf8')) as Schema, { registry: { ...registry }, wrapUnions: false }));
}

describe('current contracts read every released version', () => {
  for (const name of RECORD_NAMES) {
    test(name, () => {
      const history = released(name);
      assert.ok(history.length >= 1, `avro/history has no released version of ${name}`);
      assert.deepEqual(compatibilityProblems('BACKWARD_TRANSITIVE', parse(schemaText(name)), history), []);
    });
  }
});

describe('the gate catches breaking changes', () => {
  const current = JSON.parse(schemaText('loyalty.ledger.LedgerEntry')) as { fields: Record<string, unknown>[] };
  const history = released('loyalty.ledger.LedgerEntry');
  test('a new field without a default is refused, naming it', () => {
    const changed = { ...current, fields: [...current.fields, { name: 'channel', type: 'string' }] };
    const problems = compatibilityProblems('BACKWARD_TRANSITIVE', parse(JSON.stringify(changed)), history);
    assert.match(problems.join(' '), /field 'channel' is missing in the writer's schema and has no default/);
  });
  test('a type change is refused, naming the field', () => {
    const changed = { ...current, fields: current.fields.map((f) => (f.name === 'programVersion' ? { ...f, type: 'string' } : f)) };
    const problems = compatibilityProblems('BACKWARD_TRANSITIVE', parse(JSON.stringify(changed)), history);
    assert.match(problems.join(' '), /field 'programVersion': int cannot be read as string/);
  });
  test('a new field with a default is accepted', () => {
    const changed = { ...current, fields: [...current.fields, { name: 'note', type: ['null', 'string'], default: null }] };
    assert.deepEqual(compatibilityProblems('BACKWARD_TRANSITIVE', parse(JSON.stringify(changed)), history), []);
  });
});
