// RFC 3339 date-times (RULES.md 1 and 6.16) are parsed in one place, the plain-JSON module of the
// contracts; this name is kept for the processors that import it from here.
export { parseRfc3339 } from '../../avro/json.ts';
