/**
 * The command line (SPEC §5). `run` returns the exit code; only bin/ sets it.
 * 0: nothing at or above --fail-on; 1: findings at or above it; 2: usage, config or
 * internal error (one line; a stack only with DEBUG=drainlint).
 */
import { readFileSync, promises as fs } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import {
  lint,
  RULES,
  RULE_IDS,
  UsageError,
  severityAtLeast,
  type LintResult,
} from "./engine/lint.js";
import { FORMATS, loadFormatter, type FormatName } from "./format/index.js";
import { defaultSettings, type LintSettings, type Severity, type SeverityOrOff } from "./types.js";
import { didYouMean } from "./util/text.js";
import { ConfigError } from "./config/load.js";
import { BUDGET_KEYS, resolveConfig, settingsFromConfig } from "./config/merge.js";
import { parseKubeVersion } from "./model/version.js";
import { VERSION } from "./version.js";
import { createProgress } from "./progress.js";

export interface CliIO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  readStdin: () => Promise<Buffer>;
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
}

const OPTIONS = {
  format: { type: "string", short: "f" },
  output: { type: "string", short: "o" },
  rule: { type: "string", multiple: true },
  "fail-on": { type: "string" },
  "list-rules": { type: "boolean" },
  explain: { type: "string" },
  "stdin-filename": { type: "string" },
  "no-ignore": { type: "boolean" },
  "kube-version": { type: "string" },
  "max-request-seconds": { type: "string" },
  "endpoint-propagation-seconds": { type: "string" },
  "safety-margin-seconds": { type: "string" },
  config: { type: "string", short: "c" },
  "no-config": { type: "boolean" },
  "print-config": { type: "string" },
  "report-unused-disable": { type: "boolean" },
  fix: { type: "boolean" },
  "fix-dry-run": { type: "boolean" },
  quiet: { type: "boolean" },
  jobs: { type: "string", short: "j" },
  "no-color": { type: "boolean" },
  color: { type: "boolean" },
  version: { type: "boolean", short: "v" },
  help: { type: "boolean", short: "h" },
} as const;

const HELP = `Usage: drainlint [options] [paths...]

Finds what turns rollouts, scale-downs and node drains into 502s: Kubernetes manifests
(YAML, JSON, Helm output) and Dockerfiles. Paths are files or directories (default "."),
or "-" for standard input.

Options:
  -f, --format <name>        stylish (default), json, sarif, github (workflow commands), junit
  -o, --output <file>        write the report to a file instead of standard output
      --rule <id>=<level>    set a rule's severity: off, info, warning, error (repeatable)
      --fail-on <level>      exit 1 on findings at or above: error (default), warning, info, never
      --list-rules           list the rules and exit
      --explain <rule>       print a rule's documentation and exit
      --stdin-filename <n>   the name standard input is reported under
      --no-ignore            do not skip files that .gitignore or .drainlintignore list
      --kube-version <X.Y>   target Kubernetes version (default 1.31): native preStop sleep
                             from 1.30, sleep.seconds 0 from 1.33
      --max-request-seconds <n>
                             longest request the app must finish after SIGTERM (default 10)
      --endpoint-propagation-seconds <n>
                             time until endpoint removal reaches proxies and load balancers
                             (default 5)
      --safety-margin-seconds <n>
                             margin before SIGKILL in the drain budget (default 5)
  -c, --config <file>        use this config file instead of finding .drainlint.yaml from the
                             working directory up to the repository root
      --no-config            use no config file
      --print-config <path>  print the effective configuration for a file and exit
      --report-unused-disable
                             report disable comments and drainlint.dev/ignore entries that
                             suppressed nothing (as invalid-annotation)
      --fix                  apply the safe autofixes in place (standard input: print the fixed
                             text; the report then goes to standard error)
      --fix-dry-run          print the autofixes as a unified diff, write nothing (the report
                             then goes to standard error)
      --quiet                report errors only
  -j, --jobs <n>             worker threads (default: none below 16 MB of input, else one per
                             core, at most 4); the output is the same for every value
      --no-color             plain output
  -v, --version              print the version
  -h, --help                 print this help

Exit codes: 0 no findings at or above --fail-on, 1 findings, 2 usage or internal error.
Docs: https://github.com/drainlint/drainlint#readme`;

const LEVELS = ["off", "info", "warning", "error"] as const;

function parseRuleFlag(value: string): [string, SeverityOrOff] {
  const eq = value.lastIndexOf("=");
  if (eq < 0) throw new UsageError(`--rule takes <id>=<level>, got "${value}"`);
  const id = value.slice(0, eq).trim();
  const level = value.slice(eq + 1).trim();
  if (!RULE_IDS.has(id)) {
    const hint = didYouMean(id, [...RULE_IDS]);
    throw new UsageError(
      `--rule: unknown rule "${id}"${hint ? `; did you mean "${hint}"?` : ""} (see --list-rules)`,
    );
  }
  if (!(LEVELS as readonly string[]).includes(level))
    throw new UsageError(`--rule ${id}: level must be one of ${LEVELS.join(", ")}, got "${level}"`);
  return [id, level as SeverityOrOff];
}

function docsDir(): string {
  // The bundle lives in build/ (or dist/), the sources in src/: the docs are in ../rules.
  const here = path.dirname(fileURLToPath(import.meta.url));
  return path.resolve(here, "..", "rules");
}

function listRules(): string {
  const width = Math.max(...RULES.map((r) => r.meta.id.length));
  return (
    RULES.map(
      (r) =>
        `${r.meta.id.padEnd(width)}  ${r.meta.severity.padEnd(7)}  ${r.meta.fixable.padEnd(10)}  ${r.meta.summary}`,
    ).join("\n") + "\n"
  );
}

/** --kube-version and the budget flags (SPEC §5); they override the config file. */
function applyDrainFlags(values: Record<string, unknown>, settings: LintSettings): void {
  const kube = values["kube-version"];
  if (typeof kube === "string") {
    const v = parseKubeVersion(kube);
    if (!v) throw new UsageError(`--kube-version takes X.Y (like 1.31), got "${kube}"`);
    settings.kubeVersion = `${v.major}.${v.minor}`;
  }
  const flags = {
    "max-request-seconds": "maxRequestSeconds",
    "endpoint-propagation-seconds": "endpointPropagationSeconds",
    "safety-margin-seconds": "safetyMarginSeconds",
  } as const;
  for (const [flag, key] of Object.entries(flags)) {
    const raw = values[flag];
    if (typeof raw !== "string") continue;
    const n = /^\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : NaN;
    if (!Number.isFinite(n))
      throw new UsageError(`--${flag} takes a number of seconds (like 10), got "${raw}"`);
    settings.budget[key] = n;
    settings.budgetExplicit[key] = true;
  }
}

export interface ParsedCli {
  values: Record<string, unknown>;
  positionals: string[];
}

export function parseCli(argv: string[]): ParsedCli {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: OPTIONS,
      allowPositionals: true,
      strict: true,
    });
    return { values: values as Record<string, unknown>, positionals };
  } catch (e) {
    const msg = (e as Error).message.split("\n")[0];
    const m = /Unknown option '(-{1,2}[^']+)'/.exec(msg);
    if (m) {
      const known = Object.keys(OPTIONS).map((k) => `--${k}`);
      const hint = didYouMean(m[1], known);
      throw new UsageError(
        `unknown option ${m[1]}${hint ? `; did you mean ${hint}?` : ""} (see --help)`,
      );
    }
    throw new UsageError(msg.replace(/\.$/, "") + " (see --help)");
  }
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  try {
    return await runUnsafe(argv, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`drainlint: ${e.message}\n`);
      return 2;
    }
    if (e instanceof ConfigError) {
      for (const problem of e.problems) io.stderr(`drainlint: ${problem}\n`);
      return 2;
    }
    const err = e as Error;
    io.stderr(
      `drainlint: internal error: ${err?.message ?? String(e)}${io.env.DEBUG?.includes("drainlint") ? "" : " (set DEBUG=drainlint for details)"}\n`,
    );
    if (io.env.DEBUG?.includes("drainlint")) io.stderr(`${err?.stack ?? ""}\n`);
    return 2;
  }
}

async function runUnsafe(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCli(argv);
  if (values.help) {
    io.stdout(HELP + "\n");
    return 0;
  }
  if (values.version) {
    io.stdout(`${VERSION}\n`);
    return 0;
  }
  if (values["list-rules"]) {
    io.stdout(listRules());
    return 0;
  }
  if (typeof values.explain === "string") {
    const id = values.explain;
    if (!RULE_IDS.has(id)) {
      const hint = didYouMean(id, [...RULE_IDS]);
      throw new UsageError(
        `--explain: unknown rule "${id}"${hint ? `; did you mean "${hint}"?` : ""} (see --list-rules)`,
      );
    }
    io.stdout(readFileSync(path.join(docsDir(), `${id}.md`), "utf8"));
    return 0;
  }
  const format = (values.format as string | undefined) ?? "stylish";
  if (!(FORMATS as readonly string[]).includes(format))
    throw new UsageError(`--format must be one of ${FORMATS.join(", ")}, got "${format}"`);
  if (values["no-config"] && values.config !== undefined)
    throw new UsageError("--config and --no-config exclude each other");
  const config = values["no-config"]
    ? null
    : resolveConfig((values.config as string | undefined) ?? true, io.cwd);
  const failOn = (values["fail-on"] as string | undefined) ?? config?.config.failOn ?? "error";
  if (!["error", "warning", "info", "never"].includes(failOn))
    throw new UsageError(`--fail-on must be one of error, warning, info, never, got "${failOn}"`);

  const settings: LintSettings = settingsFromConfig(config?.config); // flags override below
  for (const r of (values.rule as string[] | undefined) ?? []) {
    const [id, level] = parseRuleFlag(r);
    settings.rules[id] = level;
  }
  applyDrainFlags(values, settings);

  if (typeof values["print-config"] === "string") {
    // After every flag that changes settings: it shows what a run would use.
    const { printConfig } = await import("./config/print.js");
    const budgetFlags = {
      maxRequestSeconds: "max-request-seconds",
      safetyMarginSeconds: "safety-margin-seconds",
      endpointPropagationSeconds: "endpoint-propagation-seconds",
    } as const;
    const ruleFlags = ((values.rule as string[] | undefined) ?? []).map((r) => parseRuleFlag(r)[0]);
    io.stdout(
      await printConfig({
        target: values["print-config"],
        cwd: io.cwd,
        config,
        noConfigReason: values["no-config"] ? "none (--no-config)" : null,
        settings,
        flags: {
          rules: new Set(ruleFlags),
          kubeVersion: values["kube-version"] !== undefined,
          budget: new Set(BUDGET_KEYS.filter((k) => values[budgetFlags[k]] !== undefined)),
          failOn: values["fail-on"] !== undefined,
        },
        failOn: failOn as Severity | "never",
        noIgnore: Boolean(values["no-ignore"]),
      }),
    );
    return 0;
  }
  const paths = positionals.length ? positionals : ["."];
  const stdin = paths.includes("-") ? await io.readStdin() : undefined;
  const jobsFlag = values.jobs as string | undefined;
  if (jobsFlag !== undefined && !/^(0|[1-9][0-9]*)$/.test(jobsFlag))
    throw new UsageError(`--jobs takes a whole number (0: no worker threads), got "${jobsFlag}"`);
  const progress = createProgress(io.stderr, io.stderrIsTTY);
  let result: LintResult = await lint({
    paths,
    cwd: io.cwd,
    stdin,
    stdinFilename: values["stdin-filename"] as string | undefined,
    noIgnore: Boolean(values["no-ignore"]),
    settings,
    config: config ?? false,
    reportUnusedDisable: Boolean(values["report-unused-disable"]),
    jobs: jobsFlag === undefined ? undefined : Number(jobsFlag),
    tuneJit: true,
    onProgress: progress.update,
  });
  progress.end();
  for (const n of result.notices) io.stderr(`drainlint: ${n.file}: ${n.message}\n`);
  // With a diff or standard input's fixed text on standard output, the report goes to stderr.
  let reportToStderr = false;
  if (values.fix || values["fix-dry-run"]) {
    const dryRun = Boolean(values["fix-dry-run"]);
    const { runFixes } = await import("./fix/run.js");
    const outcome = await runFixes(result, settings, {
      cwd: io.cwd,
      dryRun,
      reportUnusedDisable: Boolean(values["report-unused-disable"]),
    });
    result = outcome.result;
    if (outcome.output) io.stdout(outcome.output);
    for (const m of outcome.messages) io.stderr(`${m}\n`);
    reportToStderr = dryRun || stdin !== undefined;
  }
  if (values.quiet) result = onlyErrors(result);

  const color =
    !values["no-color"] &&
    (values.color === true ||
      ((reportToStderr ? io.stderrIsTTY : io.stdoutIsTTY) && !values.output && !io.env.NO_COLOR));
  const formatter = await loadFormatter(format as FormatName);
  const text = formatter({ result, version: VERSION, color, cwd: io.cwd });
  if (typeof values.output === "string") {
    const out = path.resolve(io.cwd, values.output);
    try {
      await fs.mkdir(path.dirname(out), { recursive: true });
      await fs.writeFile(out, text);
    } catch (e) {
      throw new UsageError(
        `cannot write ${values.output}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      );
    }
  } else if (!(values.quiet && result.findings.length === 0 && format === "stylish")) {
    if (reportToStderr) io.stderr(text);
    else io.stdout(text);
  }
  if (failOn === "never") return 0;
  return result.findings.some((f) => severityAtLeast(f.severity, failOn as Severity)) ? 1 : 0;
}

function onlyErrors(result: LintResult): LintResult {
  const findings = result.findings.filter((f) => f.severity === "error");
  return {
    ...result,
    findings,
    summary: {
      ...result.summary,
      warnings: 0,
      infos: 0,
      fixable: findings.filter((f) => f.fix).length,
    },
  };
}

export async function main(): Promise<number> {
  return run(process.argv.slice(2), {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    },
    cwd: process.cwd(),
    env: process.env,
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
  });
}
