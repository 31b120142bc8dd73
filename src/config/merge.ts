/**
 * Precedence (SPEC §4, issue 6): defaults < config file < command-line flags (or the API's
 * `settings`). Per-object annotations override the budget terms inside the rules, and
 * suppressions (`drainlint.dev/ignore`, disable comments) apply on top of everything.
 */
import path from "node:path";
import { defaultSettings, type Budget, type LintSettings } from "../types.js";
import {
  ConfigError,
  findConfigFile,
  loadConfigFile,
  validateConfigObject,
  type DrainlintConfig,
  type LoadedConfig,
} from "./load.js";

export const BUDGET_KEYS: (keyof Budget)[] = [
  "maxRequestSeconds",
  "safetyMarginSeconds",
  "endpointPropagationSeconds",
];

/** Defaults with the config file's values applied; config budget terms count as explicit. */
export function settingsFromConfig(config: DrainlintConfig | null | undefined): LintSettings {
  const s = defaultSettings();
  if (!config) return s;
  if (config.kubernetesVersion !== undefined) s.kubeVersion = config.kubernetesVersion;
  Object.assign(s.rules, config.rules ?? {});
  for (const key of BUDGET_KEYS) {
    const v = config.budget?.[key];
    if (v === undefined) continue;
    s.budget[key] = v;
    s.budgetExplicit[key] = true;
  }
  return s;
}

/** `partial` (flags, API settings) over `base` (defaults + config), key by key. */
export function overlaySettings(base: LintSettings, partial?: Partial<LintSettings>): LintSettings {
  if (!partial) return base;
  return {
    kubeVersion: partial.kubeVersion ?? base.kubeVersion,
    rules: { ...base.rules, ...partial.rules },
    budget: { ...base.budget, ...partial.budget },
    budgetExplicit: { ...base.budgetExplicit, ...partial.budgetExplicit },
  };
}

/** What the API's `config` option may be: a path, a loaded config, a config object, or
 * `true` to find `.drainlint.yaml` from `cwd` upward as the CLI does. */
export type ConfigInput = string | LoadedConfig | DrainlintConfig | boolean;

/** Resolves the API's `config` option; null when there is none. Throws ConfigError. */
export function resolveConfig(input: ConfigInput | undefined, cwd: string): LoadedConfig | null {
  if (input === undefined || input === false) return null;
  if (input === true) {
    const file = findConfigFile(cwd);
    return file ? loadConfigFile(file, cwd) : null;
  }
  if (typeof input === "string") return loadConfigFile(input, cwd);
  if (typeof input !== "object" || input === null || Array.isArray(input))
    throw new ConfigError([`config: expected a file path or a configuration object`]);
  if ("config" in input && "dir" in input && "file" in input) {
    const loaded = input as LoadedConfig;
    return {
      file: loaded.file,
      dir: path.resolve(cwd, loaded.dir),
      config: validateConfigObject(loaded.config, loaded.file ?? "config"),
    };
  }
  return { file: null, dir: cwd, config: validateConfigObject(input) };
}

/** The config's `ignorePaths` as a discovery ignore group (relative to its directory). */
export function configIgnore(
  loaded: LoadedConfig | null,
): { base: string; patterns: string[] } | null {
  const patterns = loaded?.config.ignorePaths ?? [];
  return patterns.length ? { base: loaded!.dir, patterns } : null;
}
