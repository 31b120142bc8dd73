import { defineRule } from "../src/engine/rule.js";
import { blame, execFormEdit, execFormText, keptPrefix } from "../src/model/dockerfile.js";
import type { DockerInstruction } from "../src/model/dockerfile-view.js";
import { manifestPid1Analysis, type ShellInfo } from "../src/model/pid1.js";
import { isPlainCommand } from "../src/model/shell.js";

const AFTER = "so the app gets no SIGTERM and is SIGKILLed when the grace period ends.";

/** DOMAIN.md §5b: dash never execs the app of a -c script; bash only in some cases. */
function why(shell: ShellInfo): string {
  return /(^|\/)bash$/.test(shell.program)
    ? `bash hands PID 1 to the app only for some scripts (an implementation detail, not a promise); when it stays PID 1 it ignores SIGTERM and does not pass it on, ${AFTER}`
    : `dash (the /bin/sh of Debian and Ubuntu images) stays PID 1, ignores SIGTERM and never passes it on, ${AFTER}`;
}

/** `CMD ['node', 'app.js']`: Docker runs invalid JSON as shell form; the intended argv, if any. */
function singleQuotedJson(ins: DockerInstruction): string[] | null {
  const s = ins.args.trim();
  if (ins.json || !s.startsWith("[")) return null;
  try {
    const v: unknown = JSON.parse(s.replace(/'/g, '"'));
    return Array.isArray(v) && v.length && v.every((x) => typeof x === "string") ? v : null;
  } catch {
    return null;
  }
}

/** The app as exec form when the script is one simple command with no shell syntax. */
function plainApp(shell: ShellInfo): string[] | null {
  const app = shell.app;
  return app?.single && isPlainCommand(app.command) ? app.words.map((w) => w.text) : null;
}

function execSnippet(shell: ShellInfo): string {
  return `exec ${shell.app?.words.map((w) => w.text).join(" ") ?? "<app>"}`;
}

/** SPEC §3; DOMAIN.md §5b (which shells exec the last command), §5a (PID 1 ignores SIGTERM). */
export default defineRule({
  meta: {
    id: "shell-form-entrypoint",
    severity: "warning",
    summary:
      "The app runs under /bin/sh -c without exec, so the shell is PID 1 and the app never gets SIGTERM.",
    target: "container",
    fixable: "autofix",
    appliesTo: "all",
    silencedBy: [{ rule: "npm-as-pid1", topics: ["pid1"] }],
  },
  check(c, ctx) {
    const m = manifestPid1Analysis(c);
    const v = m?.analysis.verdict;
    const shell = m?.analysis.shell;
    if (!m || !v || v.kind !== "shell" || !shell) return;
    const path = m.pathOf(v.index);
    const loc = ctx.workload.locator;
    const argv = plainApp(shell);
    ctx.report({
      at: loc.at(path) ?? loc.nearest(path),
      message: `Container "${c.name}" runs its app under ${shell.program} -c without exec ("${shell.script}"): ${why(shell)}`,
      suggestions: [
        argv
          ? {
              description: "Run the program directly instead of through a shell.",
              snippet: `command: ${execFormText(argv)}`,
            }
          : {
              description: "Start the app with exec, as the last command of the script.",
              snippet: execSnippet(shell),
            },
      ],
      topics: ["pid1"],
    });
  },
  checkDockerfile(view, ctx) {
    const a = view.pid1;
    const v = a?.verdict;
    const shell = a?.shell;
    if (!a || !v || v.kind !== "shell" || !shell) return;
    const ins = blame(view, v.index);
    if (!ins) return;
    const repaired = singleQuotedJson(ins);
    const how = repaired
      ? `is not valid JSON (exec form needs double quotes), so Docker runs it in shell form, as ${shell.program} -c`
      : ins.json
        ? `runs ${shell.program} -c`
        : `is in shell form, so Docker runs it as ${shell.program} -c`;
    const prefix = keptPrefix(view, ins, v.index);
    const app = repaired ?? plainApp(shell);
    const argv = app && prefix ? [...prefix, ...app] : null;
    const line = argv ? `${ins.keyword} ${execFormText(argv)}` : null;
    ctx.report({
      at: ins.span,
      message: `${ins.keyword}${ins.viaOnbuild ? " (from an ONBUILD trigger)" : ""} ${how} "${shell.script}" without exec: ${why(shell)}`,
      suggestions: [
        line
          ? { description: `Use exec form: ${line}.`, snippet: line }
          : {
              description:
                "Start the app with exec, as the last command of the script (or move the other steps to RUN and use exec form).",
              snippet: execSnippet(shell),
            },
      ],
      fix: argv ? { description: `Replace with ${line}`, edits: [execFormEdit(ins, argv)!] } : null,
      topics: ["pid1"],
    });
  },
});
