// The preview replays members with the member processor's own functions: over conformance
// scenario-101, with the scenario's other campaigns beside it, it must reproduce the expected
// decisions of every campaign; alone, a campaign that stacking does not touch.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fromPlainJsonText } from '../../../../avro/json.ts';
import type { Program } from '../../../../avro/records.ts';
import { parseProgram } from '../../../../processors/program.ts';
import { validateCampaign } from '../../../../processors/promotions/campaign-schema.ts';
import { CampaignPreview } from '../../../../processors/promotions/preview.ts';

const dir = fileURLToPath(new URL('../../../fixtures/conformance/scenario-101/', import.meta.url));
const read = (file: string): string => readFileSync(dir + file, 'utf8');

interface Expected {
  decisions: { campaignId: string; outcome: string; reason: string | null; count: number }[];
  bonusAwarded: Record<string, number>;
  dlq: Record<string, number>;
}

const program: Program = parseProgram(JSON.parse(read('program.json')));
const campaigns = (JSON.parse(read('campaigns.json')) as unknown[]).map((c) => validateCampaign(c, { program }));
const events = read('events.jsonl').split('\n').filter((l) => l.trim() !== '').map((l) => fromPlainJsonText('loyalty.orders.OrderEvent', l));
const expected = JSON.parse(read('expected.json')) as Expected;

describe('preview over conformance scenario-101', () => {
  const cases = [
    ...campaigns.map((campaign) => ({ campaign, others: campaigns, label: 'beside the others' })),
    ...campaigns.filter((c) => c.campaignId === 'fifth-visit').map((campaign) => ({ campaign, others: [], label: 'alone' })),
  ];
  for (const { campaign, others, label } of cases) {
    test(`${campaign.campaignId} ${label}: decisions and bonus points as expected`, () => {
      const preview = new CampaignPreview({ program, campaign, others, ignoreWindow: false, pointCostCents: '1' });
      for (const event of events) preview.add(event);
      const report = preview.result();
      const canonical = (rows: { outcome: string; reason: string | null; count: number }[]) =>
        rows.map(({ outcome, reason, count }) => JSON.stringify([outcome, reason, count])).sort();
      assert.deepEqual(canonical(report.outcomes), canonical(expected.decisions.filter((d) => d.campaignId === campaign.campaignId)));
      assert.equal(report.bonusPoints, expected.bonusAwarded[campaign.campaignId]);
      assert.equal(report.costCents, report.bonusPoints);
      const dlq = Object.fromEntries(Object.entries(expected.dlq).filter(([, n]) => n > 0));
      assert.deepEqual(report.orders.rejected, dlq);
    });
  }
});
