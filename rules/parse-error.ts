import { defineRule } from "../src/engine/rule.js";

/** Reported by the engine for YAML and Dockerfile syntax it cannot read (SPEC §3). */
export default defineRule({
  meta: {
    id: "parse-error",
    severity: "error",
    summary: "YAML or Dockerfile syntax that cannot be read; the broken document is not linted.",
    target: "engine",
    fixable: "suggestion",
    appliesTo: "all",
  },
});
