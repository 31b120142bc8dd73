/**
 * Who receives SIGTERM (DOMAIN.md §5): the analysis of an effective PID 1 argv, shared by
 * Dockerfiles (ENTRYPOINT + CMD of the final stage) and manifests (`command` + `args`).
 * Init wrappers that exec or spawn the rest (tini, dumb-init, docker-entrypoint.sh, env,
 * gosu, su-exec) are looked through; a package manager behind them is still a problem
 * (DOMAIN.md §5d). `sh -c "<script>"` is looked into: its app is the first `exec` command or
 * else the last one.
 */
import type { Locator, Path } from "./locate.js";
import {
  appCommand,
  parseShellScript,
  trapsTerm,
  type AppCommand,
  type ShellScript,
} from "./shell.js";
import type { ContainerView } from "./workload.js";

export type PackageManager = "npm" | "yarn" | "pnpm" | "npx";

export interface Pid1Verdict {
  kind: "package-manager" | "shell";
  /** The program named in the message: `npm`, `yarn`, `/bin/sh`… */
  program: string;
  /** The `command` or `args` key of the container (manifests). */
  path: Path;
  reason: string;
}

/** A package manager invocation: `npm start`, `npm run web -- --port 3000`, `corepack pnpm dev`. */
export interface PmInvocation {
  tool: PackageManager;
  corepack: boolean;
  /** The package.json script it runs (`start` for `npm start`), null for npx/exec/unknown. */
  script: string | null;
  /** Arguments passed on to the script (after `--`). */
  extraArgs: string[];
  /** The words of the invocation, as written. */
  words: string[];
}

export interface ShellInfo {
  /** The shell program as written (`/bin/sh`). */
  program: string;
  /** Index in argv of the script argument. */
  scriptIndex: number;
  script: string;
  parsed: ShellScript;
  app: AppCommand | null;
}

export interface Pid1Analysis {
  argv: string[];
  /** Wrappers looked through, in order (`tini`, `docker-entrypoint.sh`…). */
  wrappers: string[];
  /** Index in argv of the first program after the wrappers, -1 when there is none. */
  programIndex: number;
  /** The package manager that ends up as PID 1 (directly or as the shell script's app). */
  pm: PmInvocation | null;
  /** A `sh -c` layer at `programIndex`. */
  shell: ShellInfo | null;
  /** The problem, with the argv index it comes from (the program, or the script). */
  verdict: { kind: Pid1Verdict["kind"]; program: string; index: number; reason: string } | null;
}

export function basename(p: string): string {
  return p.slice(p.lastIndexOf("/") + 1);
}

const PACKAGE_MANAGERS = new Set(["npm", "yarn", "pnpm", "npx"]);
export const SHELLS = new Set(["sh", "bash", "ash", "dash", "zsh", "ksh", "mksh"]);

/** Options of wrappers that take a value (`tini -e 143`, `dumb-init -r 15:3`, `gosu user`). */
const WRAPPERS: Record<string, { valueOptions: RegExp; positional: number }> = {
  tini: { valueOptions: /^-[ep]$/, positional: 0 },
  "tini-static": { valueOptions: /^-[ep]$/, positional: 0 },
  "dumb-init": { valueOptions: /^(-r|--rewrite)$/, positional: 0 },
  "docker-entrypoint.sh": { valueOptions: /^$/, positional: 0 },
  env: { valueOptions: /^-[uCS]$/, positional: 0 },
  gosu: { valueOptions: /^$/, positional: 1 },
  "su-exec": { valueOptions: /^$/, positional: 1 },
};

/** Skips wrappers; returns the index of the real program and the wrappers' names. */
function skipWrappers(argv: string[]): {
  index: number;
  wrappers: string[];
  implicitNode: boolean;
} {
  const wrappers: string[] = [];
  let i = 0;
  while (i < argv.length) {
    const name = basename(argv[i]);
    const w = WRAPPERS[name];
    if (!w) break;
    wrappers.push(name);
    i++;
    if (name === "docker-entrypoint.sh") {
      // The node images' entrypoint runs `node "$@"` when the first argument is an option
      // or a .js file, else execs its arguments (DOMAIN.md §5a).
      const next = argv[i];
      if (next === undefined || next.startsWith("-") || /\.[cm]?js$/.test(next))
        return { index: -1, wrappers, implicitNode: true };
      continue;
    }
    while (i < argv.length && argv[i].startsWith("-") && argv[i] !== "--") {
      i += w.valueOptions.test(argv[i]) ? 2 : 1;
    }
    if (argv[i] === "--") i++;
    if (name === "env") while (i < argv.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(argv[i])) i++;
    i += w.positional;
  }
  return { index: i < argv.length ? i : -1, wrappers, implicitNode: false };
}

/** `npm start`, `npm run x`, `yarn x`, `pnpm run x`, `corepack pnpm x`, `npx x`, `npm exec x`. */
export function packageManagerOf(words: string[]): PmInvocation | null {
  let k = 0;
  let corepack = false;
  if (basename(words[0] ?? "") === "corepack") {
    corepack = true;
    k = 1;
  }
  const tool = basename(words[k] ?? "");
  if (!PACKAGE_MANAGERS.has(tool)) return null;
  const rest = words.slice(k + 1);
  const dash = rest.indexOf("--");
  const before = dash < 0 ? rest : rest.slice(0, dash);
  const extraArgs = dash < 0 ? [] : rest.slice(dash + 1);
  const positional = before.filter((w) => !w.startsWith("-"));
  let script: string | null = null;
  const [sub, name] = positional;
  if (tool !== "npx") {
    if (sub === "start" || sub === "test" || sub === "restart" || sub === "stop") script = sub;
    else if (sub === "run" || sub === "run-script" || sub === "rum" || sub === "urn")
      script = name ?? null;
    else if ((tool === "yarn" || tool === "pnpm") && sub && !YARN_COMMANDS.has(sub)) script = sub;
    if (tool !== "npm" && sub === undefined) script = null;
    if (dash < 0 && script && tool !== "npm") {
      // yarn/pnpm pass words after the script name on to it.
      const at = before.indexOf(script);
      extraArgs.push(...before.slice(at + 1));
    }
  }
  return { tool: tool as PackageManager, corepack, script, extraArgs, words };
}

/** yarn/pnpm built-in commands (anything else is a script name: `yarn dev`). */
const YARN_COMMANDS = new Set([
  "add",
  "install",
  "i",
  "remove",
  "exec",
  "dlx",
  "node",
  "workspace",
  "workspaces",
  "why",
  "info",
  "up",
  "upgrade",
  "build",
  "pack",
  "publish",
  "link",
  "unlink",
  "cache",
  "config",
]);

/** `sh -c`, `/bin/bash -ec`, `busybox sh -c`: the script argument's index and the shell. */
function shellScript(argv: string[], at: number): { index: number; shell: string } | null {
  let i = at;
  if (basename(argv[i]) === "busybox") i++;
  const shell = basename(argv[i] ?? "");
  if (!SHELLS.has(shell)) return null;
  for (let k = i + 1; k < argv.length; k++) {
    const a = argv[k];
    if (/^[-+][oO]$/.test(a)) {
      k++; // `-o pipefail`: an option with a value
      continue;
    }
    if (/^-[a-zA-Z]*c[a-zA-Z]*$/.test(a)) {
      // Options may still follow (`sh -c -x "<script>"`): the first operand is the script.
      let j = k + 1;
      while (j < argv.length && /^[-+][a-zA-Z]+$/.test(argv[j]))
        j += /^[-+][oO]$/.test(argv[j]) ? 2 : 1;
      if (argv[j] === "--") j++;
      return j < argv.length ? { index: j, shell } : null;
    }
    if (!a.startsWith("-") && !a.startsWith("+")) return null; // `sh script.sh`: a file we cannot see
  }
  return null;
}

/**
 * Analyses an effective argv (DOMAIN.md §5). `depth` bounds nested shells (`sh -c "exec sh -c …"`).
 */
export function analyzeArgv(argv: string[], depth = 0): Pid1Analysis {
  const { index, wrappers, implicitNode } = skipWrappers(argv);
  const out: Pid1Analysis = {
    argv,
    wrappers,
    programIndex: index,
    pm: null,
    shell: null,
    verdict: null,
  };
  if (index < 0 || implicitNode) return out;
  const program = argv[index];
  const pm = packageManagerOf(argv.slice(index));
  if (pm) {
    out.pm = pm;
    out.verdict = { kind: "package-manager", program: pm.tool, index, reason: pmReason(pm) };
    return out;
  }
  const found = shellScript(argv, index);
  if (!found) return out;
  const scriptIndex = found.index;
  const script = argv[scriptIndex];
  const parsed = parseShellScript(script);
  const app = appCommand(parsed);
  out.shell = { program, scriptIndex, script, parsed, app };
  if (!app || parsed.error) return out;
  const words = app.words.map((w) => w.text);
  // The app of the script may itself be a wrapper, a package manager or another shell.
  if (depth < 4 && app.words.every((w) => !w.expansion)) {
    const inner = analyzeArgv(words, depth + 1);
    if (inner.pm) {
      out.pm = inner.pm;
      out.verdict = {
        kind: "package-manager",
        program: inner.pm.tool,
        index: scriptIndex,
        reason: pmReason(inner.pm),
      };
      return out;
    }
    if (app.exec && inner.verdict) {
      out.verdict = { ...inner.verdict, index: scriptIndex };
      return out;
    }
  }
  if (app.exec || trapsTerm(parsed)) return out;
  // bash execs a script that is one simple command (DOMAIN.md §5b); dash never does.
  if (found.shell === "bash" && app.single) return out;
  out.verdict = {
    kind: "shell",
    program,
    index: scriptIndex,
    reason: shellReason(program, app),
  };
  return out;
}

function pmReason(pm: PmInvocation): string {
  const what = pm.script ? `the "${pm.script}" script` : "the command";
  return `${pm.tool} runs ${what} under /bin/sh -c; on SIGTERM the shell dies (dash), ${pm.tool} exits and the app is killed before it drains`;
}

function shellReason(program: string, app: AppCommand): string {
  const appText = app.words.map((w) => w.text).join(" ") || "the app";
  return `${program} stays PID 1 and runs "${appText}" as a child without exec; dash ignores SIGTERM as PID 1 and never passes it on`;
}

function stringArray(v: unknown): string[] | null {
  return Array.isArray(v) && v.every((x) => typeof x === "string") ? (v as string[]) : null;
}

/**
 * The PID 1 problem of a manifest container from its `command`/`args` (SPEC §3 npm-as-pid1,
 * shell-form-entrypoint). Without `command` the image's ENTRYPOINT is unknown and assumed to
 * pass `args` on (as docker-entrypoint.sh does). Null when neither is set or nothing is wrong.
 */
export function manifestPid1Problem(c: ContainerView): Pid1Verdict | null {
  const a = manifestPid1Analysis(c);
  if (!a?.analysis.verdict) return null;
  const v = a.analysis.verdict;
  return { kind: v.kind, program: v.program, path: a.pathOf(v.index), reason: v.reason };
}

export interface ManifestPid1 {
  analysis: Pid1Analysis;
  command: string[] | null;
  args: string[] | null;
  /** The `command` or `args` key an argv index comes from. */
  pathOf(index: number): Path;
}

export function manifestPid1Analysis(c: ContainerView): ManifestPid1 | null {
  const command = stringArray(c.raw.command);
  const args = stringArray(c.raw.args);
  if (!command?.length && !args?.length) return null;
  const argv = [...(command ?? []), ...(args ?? [])];
  const split = command?.length ?? 0;
  return {
    analysis: analyzeArgv(argv),
    command,
    args,
    pathOf: (index) => [...c.path, index < split ? "command" : "args"],
  };
}

/** Span of a manifest verdict's key, for rules. */
export function verdictSpan(loc: Locator, path: Path) {
  return loc.at(path) ?? loc.nearest(path);
}
