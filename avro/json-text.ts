// A JSON text parser that keeps what `JSON.parse` loses: whether a number was written as a whole
// number. RULES.md 6.16 refuses `1437.0` where an integer belongs, yet `JSON.parse('1437.0') === 1437`.
// Numbers written with a fraction or an exponent come back as `JsonNonInteger`, so the contract
// check can refuse them with the source text in the message.
import { ValidationError } from '../engine/errors.ts';

/** A JSON number written with a fraction or exponent (`1437.0`, `1e3`). */
export class JsonNonInteger {
  constructor(readonly source: string, readonly value: number) {}
  toString(): string { return this.source; }
}

export type JsonValue = null | boolean | number | string | JsonNonInteger | JsonValue[] | { [key: string]: JsonValue };

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
// JSON strings may not hold raw control characters, so they end a plain run like a quote does.
// eslint-disable-next-line no-control-regex
const STRING_SIMPLE = /[^"\\\u0000-\u001f]*/y;

class Parser {
  private pos = 0;
  constructor(private readonly text: string) {}

  parseDocument(): JsonValue {
    const value = this.parseValue();
    this.skipSpace();
    if (this.pos < this.text.length) this.fail('end of input');
    return value;
  }

  private fail(expected: string): never {
    const near = this.text.slice(this.pos, this.pos + 20);
    throw new ValidationError('', 'valid JSON', `invalid JSON at character ${this.pos + 1}: expected ${expected}${near ? ` near '${near}'` : ''}`);
  }

  private skipSpace(): void {
    while (this.pos < this.text.length) {
      const c = this.text.charCodeAt(this.pos);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return;
      this.pos += 1;
    }
  }

  private parseValue(): JsonValue {
    this.skipSpace();
    const c = this.text[this.pos];
    if (c === '{') return this.parseObject();
    if (c === '[') return this.parseArray();
    if (c === '"') return this.parseString();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.parseNumber();
    for (const [word, value] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return value;
      }
    }
    return this.fail('a value');
  }

  private parseNumber(): number | JsonNonInteger {
    NUMBER.lastIndex = this.pos;
    const match = NUMBER.exec(this.text);
    if (!match) return this.fail('a number');
    this.pos += match[0].length;
    const value = Number(match[0]);
    if (match[1] !== undefined || match[2] !== undefined) return new JsonNonInteger(match[0], value);
    return value === 0 ? 0 : value;
  }

  private parseString(): string {
    this.pos += 1;
    let out = '';
    for (;;) {
      STRING_SIMPLE.lastIndex = this.pos;
      const chunk = STRING_SIMPLE.exec(this.text)?.[0] ?? '';
      out += chunk;
      this.pos += chunk.length;
      const c = this.text[this.pos];
      if (c === '"') {
        this.pos += 1;
        return out;
      }
      if (c !== '\\') return this.fail('a closing quote');
      const escape = this.text.slice(this.pos, this.pos + 6);
      const decoded = /^\\u[0-9a-fA-F]{4}/.test(escape) ? escape : escape.slice(0, 2);
      try {
        out += JSON.parse(`"${decoded}"`) as string;
      } catch {
        return this.fail('a valid escape');
      }
      this.pos += decoded.length;
    }
  }

  private parseArray(): JsonValue[] {
    this.pos += 1;
    const items: JsonValue[] = [];
    this.skipSpace();
    if (this.text[this.pos] === ']') {
      this.pos += 1;
      return items;
    }
    for (;;) {
      items.push(this.parseValue());
      this.skipSpace();
      const c = this.text[this.pos];
      this.pos += 1;
      if (c === ']') return items;
      if (c !== ',') {
        this.pos -= 1;
        this.fail("',' or ']'");
      }
    }
  }

  private parseObject(): { [key: string]: JsonValue } {
    this.pos += 1;
    const obj: { [key: string]: JsonValue } = {};
    this.skipSpace();
    if (this.text[this.pos] === '}') {
      this.pos += 1;
      return obj;
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] !== '"') this.fail('a field name');
      const key = this.parseString();
      this.skipSpace();
      if (this.text[this.pos] !== ':') this.fail("':'");
      this.pos += 1;
      Object.defineProperty(obj, key, { value: this.parseValue(), enumerable: true, writable: true, configurable: true });
      this.skipSpace();
      const c = this.text[this.pos];
      this.pos += 1;
      if (c === '}') return obj;
      if (c !== ',') {
        this.pos -= 1;
        this.fail("',' or '}'");
      }
    }
  }
}

/** Parses JSON text; numbers with a fraction or exponent become `JsonNonInteger`. Throws ValidationError. */
export function parseJsonText(text: string): JsonValue {
  return new Parser(text).parseDocument();
}
