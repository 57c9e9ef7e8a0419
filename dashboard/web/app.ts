// The campaign dashboard page: fetches the JSON API with the chosen event-time range and draws
// tables and ECharts charts. Numeric cells carry their exact value in data-value.

interface Chart { setOption(option: unknown, notMerge?: boolean): void; resize(): void }
declare const echarts: { init(el: HTMLElement): Chart };

type Row = Record<string, unknown>;
type View = 'overview' | 'campaign' | 'liability' | 'tiers' | 'fraud';

const state: { view: View; campaignId: string | null; range: { from?: number; to?: number }; dataMax: number | null } = {
  view: 'overview', campaignId: null, range: {}, dataMax: null,
};
const charts = new Map<string, Chart>();

function $(id: string): HTMLElement {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing element #${id}`);
  return el;
}

function chart(id: string): Chart {
  let c = charts.get(id);
  if (!c) {
    c = echarts.init($(id));
    charts.set(id, c);
  }
  return c;
}

function rangeQuery(): string {
  const params = new URLSearchParams();
  if (state.range.from !== undefined) params.set('from', String(state.range.from));
  if (state.range.to !== undefined) params.set('to', String(state.range.to));
  const s = params.toString();
  return s ? `?${s}` : '';
}

async function api<T>(path: string): Promise<T> {
  const res = await fetch(path);
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

function num(value: unknown): string {
  const n = Number(value);
  return `<td class="num" data-value="${n}">${n.toLocaleString('en-US')}</td>`;
}

function text(value: unknown): string {
  const s = value === null || value === undefined ? '' : String(value);
  const escaped = s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<td>${escaped}</td>`;
}

function fill(tableId: string, rows: string[]): void {
  const body = $(tableId).querySelector('tbody');
  if (body) body.innerHTML = rows.length > 0 ? rows.join('') : '<tr><td colspan="8">no data in this range</td></tr>';
}

function ratio(numerator: number, denominator: number): string {
  return denominator > 0 ? (numerator / denominator).toFixed(2) : '–';
}

async function showOverview(): Promise<void> {
  const data = await api<{ campaigns: Row[]; lift: Row[] }>(`/api/campaigns${rangeQuery()}`);
  const lift = new Map<string, { t?: Row; c?: Row }>();
  for (const row of data.lift) {
    const entry = lift.get(String(row.campaignId)) ?? {};
    if (row.grp === 'CONTROL') entry.c = row; else entry.t = row;
    lift.set(String(row.campaignId), entry);
  }
  fill('overview-table', data.campaigns.map((row) => {
    const id = String(row.campaignId);
    const l = lift.get(id) ?? {};
    const tm = Number(l.t?.members ?? 0);
    const cm = Number(l.c?.members ?? 0);
    const visits = `${ratio(Number(l.t?.visits ?? 0), tm)} vs ${ratio(Number(l.c?.visits ?? 0), cm)} (n=${tm}/${cm})`;
    const spend = `${ratio(Number(l.t?.spendCents ?? 0) / 100, tm)} vs ${ratio(Number(l.c?.spendCents ?? 0) / 100, cm)}`;
    return `<tr data-campaign="${id}"><td><a data-open="${id}">${id}</a></td>${num(row.evaluations)}${num(row.awards)}${num(row.bonusPoints)}${num(row.reach)}${num(row.control)}${text(visits)}${text(spend)}</tr>`;
  }));
  const select = $('campaign-select') as HTMLSelectElement;
  const ids = data.campaigns.map((row) => String(row.campaignId));
  if (select.options.length !== ids.length) {
    select.innerHTML = ids.map((id) => `<option value="${id}">${id}</option>`).join('');
  }
  if (state.campaignId === null && ids[0] !== undefined) state.campaignId = ids[0];
  chart('overview-chart').setOption({
    tooltip: {}, legend: {}, grid: { left: 60, right: 20, bottom: 80 },
    xAxis: { type: 'category', data: ids, axisLabel: { rotate: 30 } },
    yAxis: [{ type: 'value', name: 'awards' }, { type: 'value', name: 'bonus points' }],
    series: [
      { name: 'awards', type: 'bar', data: data.campaigns.map((r) => Number(r.awards)) },
      { name: 'bonus points', type: 'bar', yAxisIndex: 1, data: data.campaigns.map((r) => Number(r.bonusPoints)) },
    ],
  }, true);
}

async function showCampaign(): Promise<void> {
  if (state.campaignId === null) await showOverview();
  const id = state.campaignId;
  if (id === null) return;
  ($('campaign-select') as HTMLSelectElement).value = id;
  const data = await api<{ reasons: Row[]; hours: Row[]; storesChannels: Row[] }>(`/api/campaigns/${encodeURIComponent(id)}${rangeQuery()}`);
  fill('reasons-table', data.reasons.map((r) => `<tr>${text(r.outcome)}${text(r.reason === '' ? '—' : r.reason)}${num(r.evaluations)}${num(r.bonusPoints)}</tr>`));
  fill('store-table', data.storesChannels.map((r) => `<tr>${text(r.storeId)}${text(r.channel)}${num(r.evaluations)}${num(r.awards)}${num(r.bonusPoints)}</tr>`));
  chart('hour-chart').setOption({
    tooltip: { trigger: 'axis' }, legend: {}, grid: { left: 50, right: 20 },
    xAxis: { type: 'category', data: data.hours.map((r) => String(r.hour).slice(0, 13)) },
    yAxis: { type: 'value' },
    series: [
      { name: 'evaluations', type: 'line', data: data.hours.map((r) => Number(r.evaluations)) },
      { name: 'awards', type: 'line', data: data.hours.map((r) => Number(r.awards)) },
    ],
  }, true);
}

async function showLiability(): Promise<void> {
  const data = await api<{ liability: Row[] }>(`/api/liability${rangeQuery()}`);
  const days = data.liability.map((r) => String(r.day));
  chart('liability-chart').setOption({
    tooltip: { trigger: 'axis' }, legend: {}, grid: { left: 70, right: 20 },
    xAxis: { type: 'category', data: days }, yAxis: { type: 'value', name: 'points' },
    series: ['pending', 'available', 'held'].map((k) => ({ name: k, type: 'line', areaStyle: {}, stack: 'liability', data: data.liability.map((r) => Number(r[k])) })),
  }, true);
  const last = data.liability[data.liability.length - 1];
  $('liability-latest').innerHTML = last
    ? `On ${String(last.day)}: pending <b data-value="${Number(last.pending)}">${Number(last.pending).toLocaleString('en-US')}</b>, available <b data-value="${Number(last.available)}">${Number(last.available).toLocaleString('en-US')}</b>, held <b data-value="${Number(last.held)}">${Number(last.held).toLocaleString('en-US')}</b> points.`
    : 'no ledger entries in this range';
}

async function showTiers(): Promise<void> {
  const data = await api<{ tiers: Row[] }>(`/api/tiers${rangeQuery()}`);
  fill('tiers-table', data.tiers.map((r) => `<tr>${text(r.tier)}${num(r.members)}</tr>`));
  chart('tiers-chart').setOption({
    tooltip: {}, series: [{ type: 'pie', radius: '70%', data: data.tiers.map((r) => ({ name: String(r.tier), value: Number(r.members) })) }],
  }, true);
}

async function showFraud(): Promise<void> {
  const data = await api<{ rules: Row[]; latest: Row[] }>(`/api/fraud${rangeQuery()}`);
  fill('fraud-table', data.rules.map((r) => `<tr>${text(r.rule)}${text(r.action)}${num(r.signals)}</tr>`));
  fill('signals-table', data.latest.map((r) => `<tr>${text(r.occurredAt)}${text(r.rule)}${text(r.action)}${num(r.score)}${text(r.memberId)}${text(r.orderId)}${text(r.storeId)}</tr>`));
}

const views: Record<View, () => Promise<void>> = {
  overview: showOverview, campaign: showCampaign, liability: showLiability, tiers: showTiers, fraud: showFraud,
};

async function refresh(): Promise<void> {
  const status = $('status');
  status.textContent = 'loading…';
  // A refresh still in flight when the user switches views must not mark the new view loaded.
  const view = state.view;
  try {
    await views[view]();
    status.textContent = `updated ${new Date().toLocaleTimeString()}`;
    if (state.view === view) document.body.dataset.loaded = view;
  } catch (err) {
    status.textContent = `error: ${err instanceof Error ? err.message : String(err)}`;
  }
}

function show(view: View): void {
  state.view = view;
  for (const button of document.querySelectorAll<HTMLButtonElement>('#tabs button')) {
    button.classList.toggle('active', button.dataset.view === view);
  }
  for (const section of document.querySelectorAll<HTMLElement>('.view')) {
    section.hidden = section.id !== `view-${view}`;
  }
  document.body.dataset.loaded = '';
  void refresh().then(() => { for (const c of charts.values()) c.resize(); });
}

async function applyPreset(preset: string): Promise<void> {
  const from = $('range-from') as HTMLInputElement;
  const to = $('range-to') as HTMLInputElement;
  from.hidden = to.hidden = preset !== 'custom';
  if (preset === 'custom') return;
  if (preset === 'all') {
    state.range = {};
  } else {
    const { maxAt } = await api<{ maxAt: number | null }>('/api/range');
    const days = Number(preset.replace('d', ''));
    state.range = maxAt === null ? {} : { from: maxAt + 1 - days * 86_400_000, to: maxAt + 1 };
  }
  await refresh();
}

function customRange(): void {
  const from = ($('range-from') as HTMLInputElement).value;
  const to = ($('range-to') as HTMLInputElement).value;
  state.range = {
    from: from ? Date.parse(`${from}:00Z`) : undefined,
    to: to ? Date.parse(`${to}:00Z`) : undefined,
  };
  void refresh();
}

function init(): void {
  for (const button of document.querySelectorAll<HTMLButtonElement>('#tabs button')) {
    button.addEventListener('click', () => show(button.dataset.view as View));
  }
  $('overview-table').addEventListener('click', (event) => {
    const target = event.target as HTMLElement;
    const id = target.dataset.open;
    if (id) {
      state.campaignId = id;
      show('campaign');
    }
  });
  $('campaign-select').addEventListener('change', (event) => {
    state.campaignId = (event.target as HTMLSelectElement).value;
    void refresh();
  });
  $('range-preset').addEventListener('change', (event) => { void applyPreset((event.target as HTMLSelectElement).value); });
  $('range-from').addEventListener('change', customRange);
  $('range-to').addEventListener('change', customRange);
  window.addEventListener('resize', () => { for (const c of charts.values()) c.resize(); });
  setInterval(() => {
    if (($('auto-refresh') as HTMLInputElement).checked) void refresh();
  }, 5000);
  void refresh();
}

init();
