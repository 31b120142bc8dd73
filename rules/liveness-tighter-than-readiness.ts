import { defineRule } from "../src/engine/rule.js";
import { upsertKeyEdit } from "../src/fix/edits.js";
import type { ProbeView } from "../src/model/workload.js";

function windowText(p: ProbeView): string {
  const d = (f: "failureThreshold" | "periodSeconds") => (p.explicit[f] ? "" : " (default)");
  return `${p.failureThreshold}${d("failureThreshold")} × ${p.periodSeconds}s${d("periodSeconds")} = ${p.window}s`;
}

/** Smallest failureThreshold whose window exceeds readiness's by at least one liveness period. */
export function saferFailureThreshold(live: ProbeView, ready: ProbeView): number {
  return Math.max(2, Math.ceil(ready.window / live.periodSeconds) + 1);
}

/** SPEC §3; DOMAIN.md §9 (liveness should use a higher failureThreshold than readiness). */
export default defineRule({
  meta: {
    id: "liveness-tighter-than-readiness",
    severity: "warning",
    summary:
      "The liveness probe gives up no later than readiness, so overload turns into restart storms.",
    target: "container",
    fixable: "autofix",
    appliesTo: "all",
  },
  check(c, ctx) {
    const live = c.livenessProbe;
    const ready = c.readinessProbe;
    if (!live || !ready) return;
    const single = live.failureThreshold === 1;
    if (live.window > ready.window && !single) return;
    const target = saferFailureThreshold(live, ready);
    const w = ctx.workload;
    const edit = upsertKeyEdit(
      w.locator,
      w.file.text,
      live.path,
      "failureThreshold",
      target,
      w.file.kind === "json",
    );
    const what = single
      ? `livenessProbe of "${c.name}" has failureThreshold: 1, so one slow or failed check restarts the container`
      : `livenessProbe of "${c.name}" gives up after ${windowText(live)}, no later than readinessProbe (${windowText(ready)})`;
    ctx.report({
      at: w.locator.at(live.path) ?? w.locator.nearest(live.path),
      message:
        `${what}: under load or a dependency outage both fail together and the kubelet restarts the container ` +
        `before readiness has taken it out of rotation (restart storms). Raise livenessProbe.failureThreshold to ` +
        `${target} (${target} × ${live.periodSeconds}s = ${target * live.periodSeconds}s); keep the probe.`,
      suggestions: [
        {
          description: `Set livenessProbe.failureThreshold to ${target}, so liveness acts only after readiness has removed the pod from rotation.`,
          snippet: `livenessProbe:\n  failureThreshold: ${target}`,
        },
      ],
      fix: edit
        ? { description: `Set livenessProbe.failureThreshold to ${target}`, edits: [edit] }
        : null,
      topics: ["livenessProbe"],
    });
  },
});
