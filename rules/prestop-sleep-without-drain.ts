import { defineRule } from "../src/engine/rule.js";
import {
  budgetSum,
  containerBudget,
  graceText,
  podGraceTarget,
  raiseGraceEdit,
} from "../src/model/budget.js";
import { manifestPid1Problem } from "../src/model/pid1.js";
import { fmtSeconds } from "../src/model/prestop.js";

/** Seconds the app has between SIGTERM and SIGKILL: max(grace − floor(preStop), 2) (DOMAIN.md §2). */
export function termWindow(grace: number, preStopSeconds: number): number {
  return Math.max(grace - Math.floor(preStopSeconds), 2);
}

/** SPEC §3; DOMAIN.md §2 (SIGTERM only after preStop, 2 s floor), §11 rules 2 and 4. */
export default defineRule({
  meta: {
    id: "prestop-sleep-without-drain",
    severity: "error",
    summary:
      "The preStop hook only sleeps and takes the grace period, so the app gets SIGTERM with no time left to drain.",
    target: "container",
    fixable: "autofix",
    appliesTo: "serving",
    silencedBy: [
      { rule: "invalid-shutdown-config", topics: ["preStop", "grace"] },
      { rule: "prestop-exec-in-distroless", topics: ["preStop"] },
    ],
  },
  check(c, ctx) {
    const w = ctx.workload;
    const { preStop, data } = containerBudget(w, c, ctx.settings);
    if (!preStop.sleepOnly || preStop.seconds === null || preStop.malformed) return;
    const grace = w.grace.value;
    if (grace === 0) return; // invalid-shutdown-config: no graceful shutdown at all
    const window = termWindow(grace, preStop.seconds);
    // Or the app never gets SIGTERM in a usable way: npm/yarn/pnpm or a shell as PID 1.
    const pid1 = manifestPid1Problem(c);
    if (window > 2) {
      if (pid1)
        ctx.report({
          at: w.locator.at(preStop.path) ?? w.locator.nearest(preStop.path),
          message:
            `The preStop hook of "${c.name}" only sleeps (${preStop.describe}), and its PID 1 cannot drain after it: ${pid1.reason}. ` +
            `The sleep only delays SIGTERM; nothing drains.`,
          suggestions: [
            {
              description: `Start the runtime directly in command/args (for example ["node", "server.js"]) so the app itself receives SIGTERM, instead of ${pid1.program}.`,
              snippet: `command: ["node", "server.js"]`,
            },
          ],
          topics: ["preStop"],
        });
      return;
    }
    const sleep = fmtSeconds(preStop.seconds);
    const finite = Number.isFinite(preStop.seconds);
    // The pod's largest budget, and at least enough to leave the app more than the 2 s floor.
    const target = finite
      ? Math.max(podGraceTarget(w, ctx.settings) ?? 0, Math.floor(preStop.seconds) + 3)
      : null;
    const edit = raiseGraceEdit(w, target);
    ctx.report({
      at: w.locator.at(preStop.path) ?? w.locator.nearest(preStop.path),
      message:
        `The preStop hook of "${c.name}" only sleeps (${preStop.kind === "sleep" ? preStop.describe : `${preStop.describe}, ${sleep}`}) and takes the grace period ` +
        `(${graceText(w)}): SIGTERM comes after the sleep, leaving the app max(${grace} − ${finite ? Math.floor(preStop.seconds) : "∞"}, 2) = ${window}s ` +
        `before SIGKILL, so in-flight requests are cut off. The sleep only delays SIGTERM; nothing drains.` +
        (finite ? ` The drain budget is ${budgetSum(data, preStop)}.` : "") +
        (pid1 ? ` Also, its PID 1 cannot drain: ${pid1.reason}.` : ""),
      suggestions: [
        finite && target !== null
          ? {
              description: `Raise terminationGracePeriodSeconds to ${target} (the sleep plus the time the app needs to finish requests after SIGTERM).`,
              snippet: `terminationGracePeriodSeconds: ${target}`,
            }
          : {
              description:
                "Sleep for a finite time (the endpoint propagation delay, about 5–10s) and size terminationGracePeriodSeconds to cover it plus the app's drain.",
              snippet: "lifecycle:\n  preStop:\n    sleep:\n      seconds: 5",
            },
        ...(pid1
          ? [
              {
                description: `Also start the runtime directly in command/args (for example ["node", "server.js"]) instead of ${pid1.program}, so the app itself receives SIGTERM.`,
                snippet: `command: ["node", "server.js"]`,
              },
            ]
          : []),
      ],
      // With a PID 1 that cannot drain, a longer grace period alone does not end the problem:
      // no autofix then (a fix must make its finding go away), only the two suggestions.
      fix:
        edit && !pid1
          ? { description: `Set terminationGracePeriodSeconds to ${target}`, edits: [edit] }
          : null,
      topics: ["preStop"],
      ...(finite ? { budget: data } : {}),
    });
  },
});
