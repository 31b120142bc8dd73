/**
 * The programmatic API: `import { lint } from "drainlint"`.
 *
 *     const result = await lint({ paths: ["k8s/"] });
 *     for (const f of result.findings) console.log(f.file, f.line, f.ruleId, f.message);
 */
export { lint, lintSources, resolveSettings, RULES, UsageError } from "./engine/lint.js";
export type { LintOptions, LintResult, LintSummary, LintUnit, Notice } from "./engine/lint.js";
export type * from "./types.js";
export { defineRule } from "./engine/rule.js";
export type { Rule, RuleMeta, RuleContext, Report } from "./engine/rule.js";
export { loadFormatter, FORMATS } from "./format/index.js";
export { VERSION } from "./version.js";
export {
  ConfigError,
  findConfigFile,
  loadConfigFile,
  validateConfigObject,
  CONFIG_NAMES,
} from "./config/load.js";
export type { DrainlintConfig, LoadedConfig } from "./config/load.js";
export type { ConfigInput } from "./config/merge.js";
