import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeCampaign } from '../../../../processors/promotions/evaluate.ts';
import { campaign } from './builders.ts';

describe('mergeCampaign (campaigns.v1 global table)', () => {
  const v2 = campaign({ version: 2, params: { bonusPoints: 200 } });
  const v3 = campaign({ version: 3, params: { bonusPoints: 300 } });

  test('the first valid version is taken', () => assert.deepEqual(mergeCampaign(undefined, v2), v2));
  test('a higher version replaces', () => assert.deepEqual(mergeCampaign(v2, v3), v3));
  test('a lower version does not replace', () => assert.equal(mergeCampaign(v3, v2), v3));
  test('an equal version does not replace', () => {
    const sameVersion = campaign({ version: 3, params: { bonusPoints: 999 } });
    assert.equal(mergeCampaign(v3, sameVersion), v3);
  });
  test('a tombstone or an invalid value is ignored', () => {
    assert.equal(mergeCampaign(v2, null), v2);
    assert.equal(mergeCampaign(v2, { ...v3, controlGroupBp: 20000 }), v2);
    assert.equal(mergeCampaign(undefined, null), undefined);
  });
  test('file-form values are normalized to the wire form', () => {
    const merged = mergeCampaign(undefined, { ...v2, startsAt: '2026-01-01T00:00:00Z', params: { bonusPoints: 200 } });
    assert.deepEqual(merged, v2);
  });
});
