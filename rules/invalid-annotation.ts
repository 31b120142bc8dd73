import { defineRule } from "../src/engine/rule.js";

/** Reported by the engine for a malformed drainlint.dev/* annotation, which is then ignored (SPEC §3). */
export default defineRule({
  meta: {
    id: "invalid-annotation",
    severity: "warning",
    summary:
      "A drainlint.dev/* annotation that is malformed or names an unknown rule; it is ignored.",
    target: "engine",
    fixable: "suggestion",
    appliesTo: "all",
  },
});
