// The JSON text parser behind plain-JSON input: same values as JSON.parse, except that numbers
// written with a fraction or exponent stay recognisable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JsonNonInteger, parseJsonText } from '../../../avro/json-text.ts';
import { ValidationError } from '../../../engine/errors.ts';

test('parses like JSON.parse when every number is whole', () => {
  const texts = [
    '{"a":1,"b":[true,false,null],"c":{"d":"x\\ny\\u00e9\\"\\\\\\/"},"e":-3,"f":[],"g":{}}',
    ' [ 1 , -2 , "s" ] ',
    '"just a string"',
    '12345678901234',
  ];
  for (const text of texts) assert.deepEqual(parseJsonText(text), JSON.parse(text));
});

test('-0 reads as 0, so it encodes like 0', () => assert.ok(Object.is(parseJsonText('-0'), 0)));

test('fractions and exponents come back as JsonNonInteger with their source', () => {
  const parsed = parseJsonText('{"a":1437.0,"b":1e3,"c":-2.5E-1}') as Record<string, JsonNonInteger>;
  assert.ok(parsed.a instanceof JsonNonInteger);
  assert.deepEqual([parsed.a.source, parsed.a.value], ['1437.0', 1437]);
  assert.deepEqual([parsed.b?.source, parsed.b?.value], ['1e3', 1000]);
  assert.deepEqual([parsed.c?.source, parsed.c?.value], ['-2.5E-1', -0.25]);
});

test('a __proto__ key is an ordinary field, not a prototype change', () => {
  const parsed = parseJsonText('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(parsed), Object.prototype);
  assert.deepEqual(Object.keys(parsed), ['__proto__']);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('invalid JSON is a ValidationError with the position', () => {
  for (const text of ['{"a":1,}', '{"a" 1}', '[1 2]', '{"a":01}', '"unterminated', '{"a":"\\x"}', '"tab\there"', 'nul', '{} extra', '']) {
    assert.throws(() => parseJsonText(text), (err: unknown) => err instanceof ValidationError && /invalid JSON at character \d+/.test(err.message), text);
  }
});
