// Renders the chart's templates with the small subset of Go-template syntax the chart limits
// itself to, because no `helm` binary can be installed here (not in Debian, no renderer on npm).
// Supported: `{{ path }}` and `$`-variables, `if`/`else`/`end` (with `not`), `range $k, $v := map`,
// `toYaml`, `quote`, `nindent`, `sha256sum`, `include (print $.Template.BasePath "/file") $`,
// comments and `{{-`/`-}}` whitespace trimming. Anything else throws, so the chart cannot drift
// into syntax this check silently mis-renders. It is not Helm: Helm's own checks (`helm lint`,
// schema validation against a cluster) still belong in a pipeline that has the binary.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'action'; expr: string }
  | { kind: 'if'; cond: string; then: Node[]; otherwise: Node[] }
  | { kind: 'range'; keyVar: string; valueVar: string; source: string; body: Node[] };

interface Scope {
  root: Record<string, unknown>;
  vars: Record<string, unknown>;
}

export interface RenderContext {
  values: Record<string, unknown>;
  release: { Name: string; Namespace: string; Service: string; Revision: number };
  chart: { Name: string; Version: string; AppVersion: string };
  templatesDir: string;
}

function tokenize(source: string): (string | { expr: string })[] {
  const tokens: (string | { expr: string })[] = [];
  const pattern = /\{\{(-?)\s*([\s\S]*?)\s*(-?)\}\}/g;
  let last = 0;
  let trimNext = false;
  for (let match = pattern.exec(source); match; match = pattern.exec(source)) {
    let text = source.slice(last, match.index);
    if (trimNext) text = text.replace(/^\s+/, '');
    if (match[1] === '-') text = text.replace(/\s+$/, '');
    tokens.push(text);
    const expr = match[2] ?? '';
    if (!expr.startsWith('/*')) tokens.push({ expr });
    trimNext = match[3] === '-';
    last = pattern.lastIndex;
  }
  tokens.push(trimNext ? source.slice(last).replace(/^\s+/, '') : source.slice(last));
  return tokens;
}

function parse(tokens: (string | { expr: string })[], file: string): Node[] {
  let i = 0;
  function block(): { nodes: Node[]; end: string } {
    const nodes: Node[] = [];
    while (i < tokens.length) {
      const token = tokens[i++];
      if (token === undefined) break;
      if (typeof token === 'string') {
        if (token) nodes.push({ kind: 'text', text: token });
        continue;
      }
      const { expr } = token;
      if (expr === 'end' || expr === 'else') return { nodes, end: expr };
      if (expr.startsWith('if ')) {
        const then = block();
        const otherwise = then.end === 'else' ? block() : { nodes: [], end: 'end' };
        nodes.push({ kind: 'if', cond: expr.slice(3).trim(), then: then.nodes, otherwise: otherwise.nodes });
        continue;
      }
      const range = /^range\s+(\$\w+)\s*,\s*(\$\w+)\s*:=\s*(\S+)$/.exec(expr);
      if (range) {
        const body = block();
        nodes.push({ kind: 'range', keyVar: range[1] ?? '', valueVar: range[2] ?? '', source: range[3] ?? '', body: body.nodes });
        continue;
      }
      if (/^(with|define|template|block)\b/.test(expr)) throw new Error(`${file}: "${expr}" is outside the supported template subset`);
      nodes.push({ kind: 'action', expr });
    }
    return { nodes, end: 'eof' };
  }
  return block().nodes;
}

function lookup(scope: Scope, path: string): unknown {
  const [head, ...rest] = path.split('.');
  let current: unknown;
  if (head === '' || head === '$') current = scope.root;
  else if (head !== undefined && head.startsWith('$')) {
    if (!(head in scope.vars)) throw new Error(`unknown variable ${head}`);
    current = scope.vars[head];
  } else throw new Error(`unsupported expression "${path}"`);
  for (const part of rest.filter((p) => p !== '')) {
    current = current !== null && typeof current === 'object' ? (current as Record<string, unknown>)[part] : undefined;
  }
  return current;
}

function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (value !== null && typeof value === 'object') return Object.keys(value).length > 0;
  return value !== undefined && value !== null && value !== false && value !== 0 && value !== '';
}

function evalCommand(command: string, scope: Scope, ctx: RenderContext): unknown {
  const include = /^include \(print \$\.Template\.BasePath "\/([\w.-]+)"\) \$$/.exec(command);
  if (include) return renderFile(include[1] ?? '', ctx);
  if (command.startsWith('toYaml ')) return stringify(evalCommand(command.slice(7).trim(), scope, ctx)).trimEnd();
  if (command.startsWith('not ')) return !truthy(evalCommand(command.slice(4).trim(), scope, ctx));
  if (/^".*"$/.test(command)) return JSON.parse(command) as string;
  if (/^[.$]/.test(command)) return lookup(scope, command);
  throw new Error(`unsupported command "${command}"`);
}

function applyFilter(value: unknown, filter: string): unknown {
  if (filter === 'quote') return JSON.stringify(value === undefined || value === null ? '' : String(value));
  if (filter === 'sha256sum') return createHash('sha256').update(String(value)).digest('hex');
  const nindent = /^nindent (\d+)$/.exec(filter);
  if (nindent) {
    const pad = ' '.repeat(Number(nindent[1]));
    return `\n${String(value).split('\n').map((line) => pad + line).join('\n')}`;
  }
  throw new Error(`unsupported filter "${filter}"`);
}

function evaluate(expr: string, scope: Scope, ctx: RenderContext): unknown {
  const [command, ...filters] = expr.split('|').map((s) => s.trim());
  let value = evalCommand(command ?? '', scope, ctx);
  for (const filter of filters) value = applyFilter(value, filter);
  return value;
}

function renderNodes(nodes: Node[], scope: Scope, ctx: RenderContext): string {
  let out = '';
  for (const node of nodes) {
    if (node.kind === 'text') out += node.text;
    else if (node.kind === 'action') {
      const value = evaluate(node.expr, scope, ctx);
      if (value !== null && typeof value === 'object') throw new Error(`"${node.expr}" prints a map or list; use toYaml`);
      out += value === undefined || value === null ? '' : String(value);
    } else if (node.kind === 'if') {
      out += renderNodes(truthy(evaluate(node.cond, scope, ctx)) ? node.then : node.otherwise, scope, ctx);
    } else {
      const source = evaluate(node.source, scope, ctx);
      const entries = Array.isArray(source) ? source.map((v, i) => [i, v] as const)
        : Object.keys((source ?? {}) as object).sort().map((k) => [k, (source as Record<string, unknown>)[k]] as const);
      for (const [key, value] of entries) {
        out += renderNodes(node.body, { root: scope.root, vars: { ...scope.vars, [node.keyVar]: key, [node.valueVar]: value } }, ctx);
      }
    }
  }
  return out;
}

/** Renders one template file of the chart to text. */
export function renderFile(file: string, ctx: RenderContext): string {
  const source = readFileSync(join(ctx.templatesDir, file), 'utf8');
  const root = { Values: ctx.values, Release: ctx.release, Chart: ctx.chart, Template: { BasePath: 'templates' } };
  return renderNodes(parse(tokenize(source), file), { root, vars: {} }, ctx);
}
