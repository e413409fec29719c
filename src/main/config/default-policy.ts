import type { FlowPolicy } from '../../core/context.js';
import { flowPolicy } from '../../core/policy.js';
import { configSchema } from './schema.js';

/** The rules of a cabinet configured with nothing: for tests and benchmarks. */
export function defaultFlowPolicy(): FlowPolicy {
  return flowPolicy(configSchema.parse({}));
}
