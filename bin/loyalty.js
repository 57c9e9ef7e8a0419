#!/usr/bin/env node
// Entry point of the `loyalty` command: registers tsx so the TypeScript sources run as they are.
import { register } from 'tsx/esm/api';

process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';
register();
await import('../cli/main.ts');
