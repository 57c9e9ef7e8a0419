// Shape checks of the member processor's two non-order inputs: fraud signals coming back on
// fraud.signals.v1 and operator commands on loyalty.commands.v1.
import type { Command, FraudAction, FraudRule } from '../../avro/records.ts';
import { ValidationError } from '../../engine/errors.ts';

export interface HoldRequest {
  signalId: string;
  rule: FraudRule;
  action: FraudAction;
  orderId: string | null;
  occurredAt: number;
}

function object(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ValidationError('', `a ${what} object`);
  return value as Record<string, unknown>;
}

function text(obj: Record<string, unknown>, field: string): string {
  const value = obj[field];
  if (typeof value !== 'string') throw new ValidationError(field, 'a string');
  return value;
}

function millis(obj: Record<string, unknown>, field: string): number {
  const value = obj[field];
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new ValidationError(field, 'epoch millis');
  return value;
}

/** The fields of a FraudSignal the member processor acts on. */
export function decodeSignal(value: unknown): HoldRequest {
  const obj = object(value, 'FraudSignal');
  const orderId = obj.orderId;
  if (orderId !== null && typeof orderId !== 'string') throw new ValidationError('orderId', 'a string or null');
  return {
    signalId: text(obj, 'signalId'),
    rule: text(obj, 'rule') as FraudRule,
    action: text(obj, 'action') as FraudAction,
    orderId,
    occurredAt: millis(obj, 'occurredAt'),
  };
}

export function decodeCommand(value: unknown): Command {
  const obj = object(value, 'Command');
  const type = text(obj, 'type');
  if (type !== 'RELEASE') throw new ValidationError('type', 'RELEASE');
  return {
    commandId: text(obj, 'commandId'),
    type,
    memberId: text(obj, 'memberId'),
    orderId: text(obj, 'orderId'),
    reason: text(obj, 'reason'),
    issuedBy: text(obj, 'issuedBy'),
    issuedAt: millis(obj, 'issuedAt'),
  };
}
