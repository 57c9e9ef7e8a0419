// Every typed error of the project. Each has a stable code and says whether a retry can help
// (`canRetry`), whether it is the user's input (`usage`) or an unreachable component (`unreachable`).

export interface ErrorOptions {
  canRetry?: boolean;
  usage?: boolean;
  unreachable?: boolean;
  cause?: unknown;
}

export class LoyaltyError extends Error {
  readonly code: string;
  readonly canRetry: boolean;
  readonly usage: boolean;
  readonly unreachable: boolean;

  constructor(code: string, message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.canRetry = options.canRetry ?? false;
    this.usage = options.usage ?? false;
    this.unreachable = options.unreachable ?? false;
  }
}

/** Bad configuration: a setting is missing or invalid. The message names the setting. */
export class ConfigError extends LoyaltyError {
  constructor(message: string, cause?: unknown) {
    super('CONFIG_INVALID', message, { usage: true, cause });
  }
}

/** A component (Kafka, Redis, registry, ClickHouse) cannot be reached. Retriable. */
export class UnreachableError extends LoyaltyError {
  constructor(component: string, message: string, cause?: unknown) {
    super('UNREACHABLE', `${component} is unreachable: ${message}`, { canRetry: true, unreachable: true, cause });
  }
}

/** A record does not match its contract. `path` names the field, e.g. `lines[2].quantity`. */
export class ValidationError extends LoyaltyError {
  constructor(readonly path: string, readonly expected: string, message?: string) {
    super('SCHEMA_VIOLATION', message ?? `${path || 'record'}: expected ${expected}`, { usage: true });
  }
}

/** Bytes that are not a Confluent-framed Avro record of a known schema. */
export class DecodeError extends LoyaltyError {
  constructor(message: string, cause?: unknown) {
    super('UNDECODABLE', message, { cause });
  }
}

/** This instance lost ownership of a task (its fence epoch is stale): it must stop writing. */
export class FencedError extends LoyaltyError {
  constructor(task: string) {
    super('FENCED', `task ${task} is owned by another instance; this instance was fenced`);
  }
}

/** A transient failure of a component; the operation can be retried. */
export class TransientError extends LoyaltyError {
  constructor(message: string, cause?: unknown) {
    super('TRANSIENT', message, { canRetry: true, cause });
  }
}
