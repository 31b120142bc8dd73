/**
 * How long a preStop hook holds SIGTERM back (DOMAIN.md §2, §4, §11 "Parsing exec preStop
 * sleeps"): native `sleep.seconds`, exec `sleep N…`, `sh -c` / `bash -c` scripts of
 * sleeps; `httpGet` and other programs are of unknown length. Pure functions over values,
 * so property tests can drive them directly.
 */
import type { Path } from "./locate.js";
import { isRecord, validInt } from "./workload.js";

export interface DelayAnalysis {
  /** Lower bound of the delay in seconds (Infinity for `sleep infinity`); null when unknown. */
  seconds: number | null;
  /** `seconds` is only a lower bound: the hook does other work too, or an `||` branch. */
  lowerBound: boolean;
  /** The hook does nothing but sleep (echo/true/`:` aside). */
  sleepOnly: boolean;
  /** Set when a `sleep` operand is invalid: sleep exits at once, so the delay is zero. */
  malformed: string | null;
  /** Why the length is unknown (when `seconds` is null). */
  unknownReason: string | null;
}

export type HookKind =
  | "none" // no preStop hook
  | "sleep" // native sleep action
  | "exec"
  | "httpGet"
  | "tcpSocket" // accepted by the API, fails at run time (DOMAIN.md §4)
  | "multiple" // more than one handler: rejected by the API
  | "invalid"; // not a mapping, or no handler

export interface PreStopAnalysis extends DelayAnalysis {
  kind: HookKind;
  /** argv[0] basename of an exec hook (after a `busybox` prefix). */
  program: string | null;
  /** The exec program is a shell (`sh -c`, `bash -c`, …). */
  viaShell: boolean;
  /** httpGet, or an exec hook that does more than sleep: the app drains by itself. */
  appManaged: boolean;
  /** Path of the `preStop` key. */
  path: Path;
  /** Human description: `exec "sleep 5"`, `sleep.seconds: 5`, … */
  describe: string;
}

const SHELLS = new Set(["sh", "bash", "ash", "dash", "zsh", "ksh", "mksh"]);
/** Commands that neither delay nor drain: a script of these plus sleeps only sleeps. */
const NO_OPS = new Set(["echo", "printf", "true", ":", "set", "exit", "logger"]);
const KEYWORDS = new Set([
  "if",
  "then",
  "else",
  "elif",
  "fi",
  "while",
  "until",
  "for",
  "do",
  "done",
  "case",
  "esac",
  "{",
  "}",
  "(",
  ")",
  "function",
  "select",
]);
const UNIT: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

export function basename(p: string): string {
  const i = p.lastIndexOf("/");
  return i < 0 ? p : p.slice(i + 1);
}

/**
 * One `sleep` operand in seconds per DOMAIN.md §11: a number with an optional fraction,
 * exponent and suffix s/m/h/d; `inf`/`infinity` → Infinity. null when sleep rejects it.
 */
export function parseDuration(operand: string): number | null {
  if (/^\+?inf(inity)?$/i.test(operand)) return Infinity;
  const m = /^\+?((?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)([smhd])?$/i.exec(operand);
  if (!m) return null;
  const n = Number(m[1]) * UNIT[(m[2] ?? "s").toLowerCase()];
  return Number.isFinite(n) ? n : Infinity;
}

function isDynamic(word: string): boolean {
  return /[$`*?[]/.test(word);
}

/** `sleep` operands (after the program name): the sum (GNU and busybox add them up). */
export function analyzeSleepArgs(args: readonly string[]): DelayAnalysis {
  const operands = args.filter((a) => a !== "--");
  const base = { lowerBound: false, sleepOnly: true };
  if (operands.length === 0)
    return { ...base, seconds: 0, malformed: "sleep has no operand", unknownReason: null };
  let total = 0;
  for (const op of operands) {
    if (isDynamic(op))
      return {
        ...base,
        seconds: null,
        malformed: null,
        unknownReason: `the duration "${op}" is only known at run time`,
      };
    const s = parseDuration(op);
    if (s === null)
      return {
        ...base,
        seconds: 0,
        malformed: `"${op}" is not a duration sleep accepts`,
        unknownReason: null,
      };
    total += s;
  }
  return { ...base, seconds: total, malformed: null, unknownReason: null };
}

interface Token {
  text: string;
  op: boolean;
  dynamic: boolean;
}

/** Quote-aware shell tokenizer: words and the operators ; & && || | newline ( ). */
export function tokenize(script: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let word = "";
  let inWord = false;
  let dynamic = false;
  const flush = () => {
    if (inWord) out.push({ text: word, op: false, dynamic });
    word = "";
    inWord = false;
    dynamic = false;
  };
  while (i < script.length) {
    const ch = script[i];
    if (ch === "'") {
      const end = script.indexOf("'", i + 1);
      word += script.slice(i + 1, end < 0 ? script.length : end);
      inWord = true;
      i = end < 0 ? script.length : end + 1;
    } else if (ch === '"') {
      let j = i + 1;
      while (j < script.length && script[j] !== '"') {
        if (script[j] === "\\" && j + 1 < script.length) j++;
        if (script[j] === "$" || script[j] === "`") dynamic = true;
        word += script[j];
        j++;
      }
      inWord = true;
      i = j + 1;
    } else if (ch === "\\" && i + 1 < script.length) {
      if (script[i + 1] !== "\n") {
        word += script[i + 1];
        inWord = true;
      }
      i += 2;
    } else if (ch === "#" && !inWord) {
      while (i < script.length && script[i] !== "\n") i++;
    } else if (ch === " " || ch === "\t" || ch === "\r") {
      flush();
      i++;
    } else if (";&|\n()".includes(ch)) {
      flush();
      const two = script.slice(i, i + 2);
      const op = two === "&&" || two === "||" || two === ";;" ? two : ch;
      out.push({ text: op, op: true, dynamic: false });
      i += op.length;
    } else {
      if (ch === "$" || ch === "`") dynamic = true;
      word += ch;
      inWord = true;
      i++;
    }
  }
  flush();
  return out;
}

/** The program of a simple command after assignments and `exec`/`command`/`builtin`. */
function commandWords(words: Token[]): Token[] {
  let k = 0;
  while (k < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[k].text)) k++;
  while (k < words.length && ["exec", "command", "builtin"].includes(words[k].text)) k++;
  let rest = words.slice(k);
  if (rest.length > 1 && basename(rest[0].text) === "busybox") rest = rest.slice(1);
  return rest;
}

const unknown = (reason: string): DelayAnalysis => ({
  seconds: null,
  lowerBound: false,
  sleepOnly: false,
  malformed: null,
  unknownReason: reason,
});

/**
 * A `sh -c` script: sequential sleeps summed, backgrounded commands ignored, an `||`
 * branch skipped (lower bound), `$VAR` unknown, loops and conditionals unknown.
 */
export function analyzeScript(script: string): DelayAnalysis {
  const tokens = tokenize(script);
  // Split into commands, each with the operator that ends it.
  const commands: { words: Token[]; end: string }[] = [];
  let words: Token[] = [];
  for (const t of tokens) {
    if (t.op) {
      commands.push({ words, end: t.text });
      words = [];
    } else words.push(t);
  }
  commands.push({ words, end: ";" });

  if (tokens.some((t) => t.op && (t.text === "(" || t.text === ")")))
    return unknown("the script uses a subshell");
  let total = 0;
  let lowerBound = false;
  let sleepOnly = true;
  let sawSleep = false;
  let malformed: string | null = null;
  let lastOk = true; // exit status of the last and-or item; other programs assumed to succeed
  let prevEnd = ";";
  let pipelineRuns = true;
  let pipeline: number[] = [];
  for (const { words: cmdWords, end } of commands) {
    let runs = true;
    if (prevEnd === "|") runs = pipelineRuns;
    else if (prevEnd === "&&") runs = lastOk;
    else if (prevEnd === "||") {
      runs = !lastOk;
      if (!runs && cmdWords.length) lowerBound = true; // the skipped branch might run and take time
    }
    pipelineRuns = runs;
    prevEnd = end;
    if (!runs || cmdWords.length === 0) continue;
    const argv = commandWords(cmdWords);
    if (argv.length > 0 && KEYWORDS.has(argv[0].text))
      return unknown("the script has a loop or conditional");
    let seconds = 0;
    let ok = true;
    if (argv.length === 0) {
      // only assignments
    } else if (argv[0].dynamic) {
      return unknown(`the command "${argv[0].text}" is only known at run time`);
    } else if (basename(argv[0].text) === "sleep") {
      sawSleep = true;
      const dyn = argv.slice(1).find((o) => o.dynamic);
      if (dyn) return unknown(`the duration "${dyn.text}" is only known at run time`);
      const a = analyzeSleepArgs(argv.slice(1).map((o) => o.text));
      if (a.malformed) {
        malformed ??= a.malformed;
        ok = false;
      } else seconds = a.seconds ?? 0;
    } else if (NO_OPS.has(argv[0].text)) {
      if (argv[0].text === "exit" && end !== "&" && end !== "|") {
        pipeline.push(0);
        break;
      }
    } else {
      sleepOnly = false;
      if (end !== "&") lowerBound = true; // its run time adds to the delay, unknown
    }
    if (end === "&") {
      seconds = 0; // backgrounded: the script does not wait for it
      ok = true;
    }
    pipeline.push(seconds);
    if (end !== "|") {
      total += Math.max(...pipeline); // a pipeline's commands run side by side
      pipeline = [];
      lastOk = ok;
    }
  }
  if (pipeline.length) total += Math.max(...pipeline);
  if (!sawSleep) sleepOnly = false;
  return { seconds: total, lowerBound, sleepOnly, malformed, unknownReason: null };
}

/** An exec hook's argv: `sleep N…`, a shell running a script, or another program. */
export function analyzeCommand(argv: readonly string[]): DelayAnalysis & {
  program: string | null;
  viaShell: boolean;
} {
  let args = [...argv];
  if (args.length > 1 && basename(args[0]) === "busybox") args = args.slice(1);
  const program = args.length ? basename(args[0]) : null;
  if (program === "sleep") return { ...analyzeSleepArgs(args.slice(1)), program, viaShell: false };
  if (program && SHELLS.has(program)) {
    let k = 1;
    let dashC = false;
    while (k < args.length && /^[-+]/.test(args[k]) && args[k] !== "--" && args[k] !== "-") {
      if (args[k].startsWith("-") && !args[k].startsWith("--") && args[k].includes("c"))
        dashC = true;
      if (args[k] === "-o" || args[k] === "+o") k++;
      k++;
    }
    if (args[k] === "--") k++;
    if (dashC && k < args.length) return { ...analyzeScript(args[k]), program, viaShell: true };
    return { ...unknown(`${program} runs a script file`), program, viaShell: true };
  }
  return {
    ...unknown(program ? `${program} may take any time` : "the command is empty"),
    lowerBound: false,
    program,
    viaShell: false,
  };
}

const HANDLERS = ["exec", "httpGet", "tcpSocket", "sleep"] as const;

function shellQuote(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w./:=+-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`)).join(" ");
}

/** The preStop hook at `path` (the `preStop` key's path) with value `hook`. */
export function analyzePreStop(hook: unknown, path: Path): PreStopAnalysis {
  const base = {
    lowerBound: false,
    sleepOnly: false,
    malformed: null,
    unknownReason: null,
    program: null,
    viaShell: false,
    appManaged: false,
    path,
  };
  if (hook === undefined || hook === null)
    return { ...base, kind: "none", seconds: 0, describe: "no preStop hook" };
  if (!isRecord(hook))
    return { ...base, kind: "invalid", seconds: null, describe: "an invalid preStop hook" };
  const present = HANDLERS.filter((h) => hook[h] !== undefined && hook[h] !== null);
  if (present.length !== 1)
    return {
      ...base,
      kind: present.length ? "multiple" : "invalid",
      seconds: null,
      describe: "an invalid preStop hook",
    };
  const kind = present[0];
  const value = hook[kind];
  switch (kind) {
    case "sleep": {
      const s = isRecord(value) ? validInt(value.seconds) : null;
      return {
        ...base,
        kind,
        seconds: s,
        sleepOnly: s !== null,
        unknownReason: s === null ? "sleep.seconds is invalid" : null,
        describe: `sleep.seconds: ${s ?? "?"}`,
      };
    }
    case "httpGet":
      return {
        ...base,
        kind,
        seconds: null,
        appManaged: true,
        unknownReason: "an httpGet hook lasts as long as the endpoint takes to answer",
        describe: "an httpGet hook",
      };
    case "tcpSocket":
      return { ...base, kind, seconds: 0, describe: "a tcpSocket hook (fails at run time)" };
    case "exec": {
      const cmd = isRecord(value) ? value.command : undefined;
      if (!Array.isArray(cmd) || cmd.length === 0 || !cmd.every((a) => typeof a === "string"))
        return { ...base, kind, seconds: null, describe: "an invalid exec hook" };
      const a = analyzeCommand(cmd as string[]);
      return {
        ...base,
        ...a,
        kind,
        appManaged: !a.sleepOnly,
        describe: `exec \`${shellQuote(cmd as string[])}\``,
      };
    }
  }
}

/** Formats seconds for messages: `5s`, `1.5s`, `∞`. */
export function fmtSeconds(s: number): string {
  if (s === Infinity) return "∞";
  return `${Math.round(s * 100) / 100}s`;
}
