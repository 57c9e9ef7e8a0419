import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { controlBucket, fnv1a32 } from '../../../../processors/promotions/fnv1a.ts';

describe('fnv1a32', () => {
  test('matches the published FNV-1a 32-bit test vectors', () => {
    assert.equal(fnv1a32(''), 0x811c9dc5);
    assert.equal(fnv1a32('a'), 0xe40c292c);
    assert.equal(fnv1a32('foobar'), 0xbf9cf968);
  });

  test('hashes UTF-8 bytes, not UTF-16 code units', () => {
    // "é" is two UTF-8 bytes (c3 a9); hashing the single code unit 0xe9 would give 0x6c0b6c44.
    assert.equal(fnv1a32('é'), 0x1e9de8c1);
  });

  test('is unsigned 32-bit', () => {
    for (const text of ['', 'a', 'foobar', 'welcome:m-4', 'x'.repeat(1000)]) {
      const h = fnv1a32(text);
      assert.ok(Number.isInteger(h) && h >= 0 && h <= 0xffffffff, `${text}: ${h}`);
    }
  });
});

describe('controlBucket', () => {
  test('hashes "campaignId:memberId" and takes it modulo 10000', () => {
    assert.equal(controlBucket('welcome', 'm-1'), 0x1e4648f4 % 10000);
    assert.equal(controlBucket('welcome', 'm-5'), 2200);
    assert.equal(controlBucket('fifth-visit', 'm-6'), 1030);
  });

  test('is stable for a member and differs across campaigns', () => {
    assert.equal(controlBucket('welcome', 'm-3'), controlBucket('welcome', 'm-3'));
    assert.notEqual(controlBucket('welcome', 'm-3'), controlBucket('fifth-visit', 'm-3'));
  });
});
