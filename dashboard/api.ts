// The dashboard's HTTP API: validates every parameter (400 with the reason otherwise) and runs
// the named queries of queries.ts. No SQL is built from request strings.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import * as q from './queries.ts';

const MAX_TIME = 8_640_000_000_000;

/** Epoch millis or an RFC 3339 date-time with an offset (uppercase T and Z). */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

const timeParam = z.string().transform((value, ctx) => {
  if (/^-?\d{1,16}$/.test(value)) return Number(value);
  if (RFC3339.test(value) && !Number.isNaN(Date.parse(value))) return Date.parse(value);
  ctx.addIssue({ code: 'custom', message: 'expected epoch millis or an RFC 3339 date-time' });
  return z.NEVER;
});

const rangeQuery = z.object({
  from: timeParam.optional(),
  to: timeParam.optional(),
}).strict().transform((v, ctx) => {
  const range = { from: v.from ?? 0, to: v.to ?? MAX_TIME };
  if (range.from < 0 || range.to > MAX_TIME || range.from >= range.to) {
    ctx.addIssue({ code: 'custom', message: 'from must be before to, both within the supported time range' });
    return z.NEVER;
  }
  return range;
});

const campaignIdParam = z.object({ campaignId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'a campaign id') });

export class BadRequest extends Error {}

export function parseRange(query: unknown): q.TimeRange {
  const parsed = rangeQuery.safeParse(query ?? {});
  if (!parsed.success) throw new BadRequest(describe(parsed.error));
  return parsed.data;
}

export function parseCampaignId(params: unknown): string {
  const parsed = campaignIdParam.safeParse(params);
  if (!parsed.success) throw new BadRequest(describe(parsed.error));
  return parsed.data.campaignId;
}

function describe(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid request';
  const path = issue.path.map(String).join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}

async function answer(reply: FastifyReply, run: () => Promise<unknown>): Promise<void> {
  try {
    const body = await run();
    await reply.header('cache-control', 'no-store').send(body);
  } catch (err) {
    if (err instanceof BadRequest) {
      await reply.code(400).send({ error: err.message });
      return;
    }
    throw err;
  }
}

export function registerApi(app: FastifyInstance, db: q.QueryRunner): void {
  app.get('/api/range', (_req, reply) => answer(reply, () => q.dataRange(db)));
  app.get('/api/campaigns', (req, reply) => answer(reply, async () => {
    const range = parseRange(req.query);
    const [campaigns, lift] = await Promise.all([q.campaignOverview(db, range), q.campaignLift(db, range)]);
    return { range, campaigns, lift };
  }));
  app.get('/api/campaigns/:campaignId', (req, reply) => answer(reply, async () => {
    const campaignId = parseCampaignId(req.params);
    const range = parseRange(req.query);
    const [reasons, hours, storesChannels] = await Promise.all([
      q.campaignReasons(db, campaignId, range),
      q.campaignByHour(db, campaignId, range),
      q.campaignByStoreChannel(db, campaignId, range),
    ]);
    return { campaignId, range, reasons, hours, storesChannels };
  }));
  app.get('/api/liability', (req, reply) => answer(reply, async () => ({ liability: await q.pointsLiability(db, parseRange(req.query)) })));
  app.get('/api/tiers', (req, reply) => answer(reply, async () => {
    parseRange(req.query);
    return { tiers: await q.tierDistribution(db) };
  }));
  app.get('/api/fraud', (req, reply) => answer(reply, async () => {
    const range = parseRange(req.query);
    const [rules, latest] = await Promise.all([q.fraudByRule(db, range), q.latestSignals(db, range)]);
    return { rules, latest };
  }));
}
