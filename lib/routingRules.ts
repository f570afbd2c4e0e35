import fs from 'node:fs';
import {
  BUILT_IN_ROUTING,
  routingProblems,
  RoutingConfigSchema,
  SHIPPED_VOCABULARY,
  type RoutingConfig,
  type RoutingVocabulary,
} from '../runbooks/alertRouting';
import { ConfigError } from './config';

/**
 * The alert routing in force: the JSON file at `file` (DBOPS_ROUTING), validated; the built-in routing when the file
 * is the shipped default and absent. A file that does not parse is a start-up error naming each rule index and field.
 */
export function loadRouting(file: string | undefined, opts: { required?: boolean; vocabulary?: RoutingVocabulary } = {}): RoutingConfig {
  if (!file || (!opts.required && !fs.existsSync(file))) return BUILT_IN_ROUTING;
  let data: unknown;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`routing file ${file}: ${(err as Error).message}`);
  }
  const vocabulary = opts.vocabulary ?? SHIPPED_VOCABULARY;
  const problems = routingProblems(data, vocabulary);
  if (problems.length) throw new ConfigError(`routing file ${file} is invalid: ${problems.join('; ')}`);
  return { ...RoutingConfigSchema.parse(data), tiers: vocabulary.tiers };
}
