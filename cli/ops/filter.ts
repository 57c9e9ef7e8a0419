// `--filter` for replay and dlq: a tiny, safe expression language over a decoded record, e.g.
//   value.memberId == "m-1" && value.totalCents >= 5000
// Grammar (no eval, no function calls, nothing but reading fields):
//   expr    := and ("||" and)*
//   and     := compare ("&&" compare)*
//   compare := operand (("==" | "!=" | "<" | "<=" | ">" | ">=") operand)?
//   operand := "(" expr ")" | string | number | true | false | null | path
//   path    := name ("." name | "[" digits "]")*
// A missing field reads as null. <, <=, >, >= are true only when both sides are numbers or both
// are strings. A bare operand is true only when it is the boolean true (`value.employee`).
import { LoyaltyError } from '../../engine/errors.ts';

export type Filter = (record: unknown) => boolean;

type Scalar = string | number | boolean | null;
type Node =
  | { kind: 'literal'; value: Scalar }
  | { kind: 'path'; segments: (string | number)[] }
  | { kind: 'compare'; op: CompareOp; left: Node; right: Node }
  | { kind: 'and' | 'or'; left: Node; right: Node };
type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

interface Token {
  type: 'string' | 'number' | 'name' | 'op' | 'end';
  text: string;
  value?: string | number;
  at: number;
}

/** A --filter that does not parse; `usage` so the CLI exits 2 with the message. */
export class FilterError extends LoyaltyError {
  constructor(message: string) {
    super('FILTER_INVALID', `--filter: ${message}`, { usage: true });
  }
}

const OPERATORS = ['&&', '||', '==', '!=', '<=', '>=', '<', '>', '(', ')', '.', '[', ']'];

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i] as string;
    if (/\s/.test(c)) {
      i += 1;
      continue;
    }
    if (c === '"' || c === "'") {
      const start = i;
      let text = '';
      i += 1;
      while (i < source.length && source[i] !== c) {
        if (source[i] === '\\' && i + 1 < source.length) i += 1;
        text += source[i];
        i += 1;
      }
      if (i >= source.length) throw new FilterError(`unterminated string starting at column ${start + 1}`);
      i += 1;
      tokens.push({ type: 'string', text: source.slice(start, i), value: text, at: start });
      continue;
    }
    const number = /^-?\d+(\.\d+)?/.exec(source.slice(i));
    if (number && (c === '-' || /\d/.test(c))) {
      tokens.push({ type: 'number', text: number[0], value: Number(number[0]), at: i });
      i += number[0].length;
      continue;
    }
    const name = /^[A-Za-z_$][A-Za-z0-9_$-]*/.exec(source.slice(i));
    if (name) {
      tokens.push({ type: 'name', text: name[0], at: i });
      i += name[0].length;
      continue;
    }
    const op = OPERATORS.find((o) => source.startsWith(o, i));
    if (!op) throw new FilterError(`unexpected character ${JSON.stringify(c)} at column ${i + 1}`);
    tokens.push({ type: 'op', text: op, at: i });
    i += op.length;
  }
  tokens.push({ type: 'end', text: 'end of expression', at: source.length });
  return tokens;
}

class Parser {
  private index = 0;

  constructor(private readonly tokens: Token[]) {}

  parse(): Node {
    const node = this.or();
    const next = this.peek();
    if (next.type !== 'end') throw this.error(next, 'an operator (&&, ||, ==, ...)');
    return node;
  }

  private peek(): Token {
    return this.tokens[this.index] as Token;
  }

  private take(): Token {
    const token = this.peek();
    if (token.type !== 'end') this.index += 1;
    return token;
  }

  private isOp(text: string): boolean {
    const token = this.peek();
    return token.type === 'op' && token.text === text;
  }

  private error(token: Token, expected: string): FilterError {
    return new FilterError(`expected ${expected} at column ${token.at + 1}, found ${token.type === 'end' ? token.text : JSON.stringify(token.text)}`);
  }

  private or(): Node {
    let left = this.and();
    while (this.isOp('||')) {
      this.take();
      left = { kind: 'or', left, right: this.and() };
    }
    return left;
  }

  private and(): Node {
    let left = this.compare();
    while (this.isOp('&&')) {
      this.take();
      left = { kind: 'and', left, right: this.compare() };
    }
    return left;
  }

  private compare(): Node {
    const left = this.operand();
    const token = this.peek();
    if (token.type === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(token.text)) {
      this.take();
      return { kind: 'compare', op: token.text as CompareOp, left, right: this.operand() };
    }
    return left;
  }

  private operand(): Node {
    const token = this.take();
    if (token.type === 'op' && token.text === '(') {
      const inner = this.or();
      if (!this.isOp(')')) throw this.error(this.peek(), '")"');
      this.take();
      return inner;
    }
    if (token.type === 'string' || token.type === 'number') return { kind: 'literal', value: token.value as string | number };
    if (token.type === 'name') {
      if (token.text === 'null') return { kind: 'literal', value: null };
      if (token.text === 'true') return { kind: 'literal', value: true };
      if (token.text === 'false') return { kind: 'literal', value: false };
      return this.path(token.text);
    }
    throw this.error(token, 'a field path, string, number, true, false or null');
  }

  private path(first: string): Node {
    const segments: (string | number)[] = [first];
    for (;;) {
      if (this.isOp('.')) {
        this.take();
        const name = this.take();
        if (name.type !== 'name') throw this.error(name, 'a field name after "."');
        segments.push(name.text);
      } else if (this.isOp('[')) {
        this.take();
        const index = this.take();
        if (index.type !== 'number' || !Number.isInteger(index.value) || (index.value as number) < 0) throw this.error(index, 'an array index');
        if (!this.isOp(']')) throw this.error(this.peek(), '"]"');
        this.take();
        segments.push(index.value as number);
      } else {
        return { kind: 'path', segments };
      }
    }
  }
}

function read(record: unknown, segments: (string | number)[]): Scalar {
  let current: unknown = record;
  for (const segment of segments) {
    if (current === null || typeof current !== 'object') return null;
    current = (current as Record<string | number, unknown>)[segment];
  }
  if (typeof current === 'string' || typeof current === 'number' || typeof current === 'boolean') return current;
  return null;
}

function evaluate(node: Node, record: unknown): Scalar {
  switch (node.kind) {
    case 'literal': return node.value;
    case 'path': return read(record, node.segments);
    case 'and': return evaluate(node.left, record) === true && evaluate(node.right, record) === true;
    case 'or': return evaluate(node.left, record) === true || evaluate(node.right, record) === true;
    case 'compare': {
      const a = evaluate(node.left, record);
      const b = evaluate(node.right, record);
      if (node.op === '==') return a === b;
      if (node.op === '!=') return a !== b;
      const comparable = (typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string');
      if (!comparable) return false;
      const [x, y] = [a, b] as [number, number];
      if (node.op === '<') return x < y;
      if (node.op === '<=') return x <= y;
      if (node.op === '>') return x > y;
      return x >= y;
    }
  }
}

/** Compiles a filter expression; throws FilterError (with the column) when it does not parse. */
export function compileFilter(source: string): Filter {
  if (source.trim() === '') throw new FilterError('empty expression');
  const tree = new Parser(tokenize(source)).parse();
  return (record) => evaluate(tree, record) === true;
}
