// The settings of an engine run when the caller passes none: loadConfig() (flags > env >
// stack.json > defaults) plus the security settings of the environment.

import type { SecuredConfig } from './client-options.ts';
import { loadConfig } from './config.ts';
import { loadSecuritySettings } from './security.ts';

export function environmentConfig(): SecuredConfig {
  const config = loadConfig();
  return { ...config, security: loadSecuritySettings(process.env, { redisUrl: config.redisUrl, clickhouseUrl: config.clickhouseUrl }) };
}
