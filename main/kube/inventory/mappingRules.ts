/**
 * The editable rules that say which workloads are model services (shared/domain MappingRules), saved in the
 * profile's settings (the store's key/value table; no secret in them). Nothing saved, or something that no
 * longer parses (edited by hand, an older build): the defaults, which are what modelServicesFrom always did.
 */
import { MappingRules, type MappingRulesView } from '../../../shared/models';
import type { Store } from '../../store';
import { DEFAULT_MAPPING_RULES } from '../modelServices';

export const MAPPING_RULES_KEY = 'kube.mappingRules';

let cache: { text: string; rules: MappingRules } | undefined;

export function loadMappingRules(store: Store): MappingRulesView {
  const saved = store.settings.get<unknown>(MAPPING_RULES_KEY);
  if (saved === undefined)
    return { rules: DEFAULT_MAPPING_RULES, defaults: DEFAULT_MAPPING_RULES, saved: false };
  const text = JSON.stringify(saved);
  // the same object while nothing changed: compiled patterns are cached per rules object
  if (cache?.text === text) return { rules: cache.rules, defaults: DEFAULT_MAPPING_RULES, saved: true };
  const parsed = MappingRules.safeParse(saved);
  if (!parsed.success) return { rules: DEFAULT_MAPPING_RULES, defaults: DEFAULT_MAPPING_RULES, saved: false };
  cache = { text, rules: parsed.data };
  return { rules: parsed.data, defaults: DEFAULT_MAPPING_RULES, saved: true };
}

/** Saves the rules (null = back to the defaults). */
export function saveMappingRules(store: Store, rules: MappingRules | null): MappingRulesView {
  if (rules === null) store.settings.delete(MAPPING_RULES_KEY);
  else store.settings.set(MAPPING_RULES_KEY, MappingRules.parse(rules));
  return loadMappingRules(store);
}
