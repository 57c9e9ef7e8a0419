// An error answered in the Confluent Schema Registry format: HTTP status plus
// `{"error_code": <code>, "message": "..."}` (40401 subject, 40402 version, 40403 schema not found,
// 409 incompatible, 42201 invalid schema, 42202 invalid version, 42203 invalid compatibility level).
import { LoyaltyError } from '../../engine/errors.ts';

export class RegistryApiError extends LoyaltyError {
  constructor(readonly status: number, readonly errorCode: number, message: string) {
    super('REGISTRY_API', message, { usage: status < 500 });
  }

  body(): { error_code: number; message: string } {
    return { error_code: this.errorCode, message: this.message };
  }
}
