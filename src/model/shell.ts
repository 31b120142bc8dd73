/**
 * A small POSIX shell tokenizer for the scripts drainlint reads (`sh -c "<script>"` in
 * manifests, shell-form CMD/ENTRYPOINT, npm scripts). It splits a script into simple commands
 * and the operators between them, removes quotes, and marks what it cannot evaluate
 * statically (expansions, globs, compound syntax), so callers can stay silent rather than
 * guess. shell-quote was tried and does not fit: it joins lines (newline is a command
 * separator in sh) and splits `"a $X"` into two items, losing word boundaries.
 */

export interface ShellWord {
  /** The word after quote removal (expansions left as written). */
  text: string;
  /** Contains `$…` or a backquote outside single quotes: its value is only known at run time. */
  expansion: boolean;
  /** Contains an unquoted glob character (`*`, `?`, `[`). */
  glob: boolean;
  /** Some part of it was quoted or escaped. */
  quoted: boolean;
}

export type ShellOperator = ";" | "&&" | "||" | "|" | "&" | "\n";

export interface SimpleCommand {
  /** Leading `NAME=value` words. */
  assignments: ShellWord[];
  /** The command words (program first). */
  words: ShellWord[];
  /** The command has redirections (`> log`, `2>&1`). */
  redirects: boolean;
  /** The operator that ends it (null at the end of the script). */
  next: ShellOperator | null;
}

export interface ShellScript {
  commands: SimpleCommand[];
  /** Compound syntax (if/while/for/case, subshells, groups, functions, here-documents). */
  complex: boolean;
  /** Unterminated quote or substitution; the script is not what it seems. */
  error: string | null;
}

const RESERVED = new Set([
  "if",
  "then",
  "else",
  "elif",
  "fi",
  "do",
  "done",
  "case",
  "esac",
  "while",
  "until",
  "for",
  "function",
  "select",
  "{",
  "}",
  "!",
  "[[",
]);

const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

/** Reads `$(…)` or `${…}` starting at `i` (pointing at `$`); returns the index after it. */
function skipDollar(s: string, i: number): number {
  const open = s[i + 1];
  if (open !== "(" && open !== "{") return i + 1;
  const close = open === "(" ? ")" : "}";
  let depth = 0;
  for (let j = i + 1; j < s.length; j++) {
    const ch = s[j];
    if (ch === "\\") j++;
    else if (ch === "'" && open === "(") {
      const end = s.indexOf("'", j + 1);
      if (end < 0) return -1;
      j = end;
    } else if (ch === open) depth++;
    else if (ch === close && --depth === 0) return j + 1;
  }
  return -1;
}

export function parseShellScript(script: string): ShellScript {
  const commands: SimpleCommand[] = [];
  let complex = false;
  let error: string | null = null;
  let current: SimpleCommand = { assignments: [], words: [], redirects: false, next: null };
  let word = null as ShellWord | null;
  let skipNextWord = false; // the target of a redirection

  const endWord = () => {
    if (!word) return;
    if (skipNextWord) skipNextWord = false;
    else if (current.words.length === 0 && !word.quoted && ASSIGNMENT.test(word.text))
      current.assignments.push(word);
    else {
      if (current.words.length === 0 && !word.quoted && RESERVED.has(word.text)) complex = true;
      current.words.push(word);
    }
    word = null;
  };
  const endCommand = (op: ShellOperator | null) => {
    endWord();
    current.next = op;
    if (current.words.length || current.assignments.length || current.redirects)
      commands.push(current);
    else if (op && op !== "\n" && op !== ";") error ??= `unexpected "${op}"`;
    current = { assignments: [], words: [], redirects: false, next: null };
  };
  const w = (): ShellWord => (word ??= { text: "", expansion: false, glob: false, quoted: false });

  for (let i = 0; i < script.length; i++) {
    const ch = script[i];
    if (ch === "\\") {
      if (script[i + 1] === "\n") {
        i++; // line continuation
        continue;
      }
      if (i + 1 < script.length) {
        w().text += script[i + 1];
        w().quoted = true;
      }
      i++;
    } else if (ch === "'") {
      const end = script.indexOf("'", i + 1);
      if (end < 0) {
        error ??= "unterminated single quote";
        w().text += script.slice(i + 1);
        i = script.length;
      } else {
        w().text += script.slice(i + 1, end);
        i = end;
      }
      w().quoted = true;
    } else if (ch === '"') {
      const cur = w();
      cur.quoted = true;
      let j = i + 1;
      for (; j < script.length && script[j] !== '"'; j++) {
        const c = script[j];
        if (c === "\\" && j + 1 < script.length && '$`"\\\n'.includes(script[j + 1])) {
          if (script[j + 1] !== "\n") cur.text += script[j + 1];
          j++;
        } else if (c === "$") {
          const end = skipDollar(script, j);
          if (end < 0) {
            error ??= "unterminated substitution";
            j = script.length;
            break;
          }
          cur.expansion = true;
          cur.text += script.slice(j, end);
          j = end - 1;
        } else if (c === "`") {
          const end = script.indexOf("`", j + 1);
          if (end < 0) {
            error ??= "unterminated backquote";
            j = script.length;
            break;
          }
          cur.expansion = true;
          cur.text += script.slice(j, end + 1);
          j = end;
        } else cur.text += c;
      }
      if (j >= script.length) error ??= "unterminated double quote";
      i = j;
    } else if (ch === "$") {
      const end = skipDollar(script, i);
      if (end < 0) {
        error ??= "unterminated substitution";
        i = script.length;
        continue;
      }
      w().expansion = true;
      w().text += script.slice(i, end);
      i = end - 1;
    } else if (ch === "`") {
      const end = script.indexOf("`", i + 1);
      if (end < 0) {
        error ??= "unterminated backquote";
        i = script.length;
        continue;
      }
      w().expansion = true;
      w().text += script.slice(i, end + 1);
      i = end;
    } else if (ch === "#" && !word) {
      const nl = script.indexOf("\n", i);
      i = (nl < 0 ? script.length : nl) - 1; // a comment runs to the end of the line
    } else if (ch === " " || ch === "\t" || ch === "\r") {
      endWord();
    } else if (ch === "\n") {
      endCommand("\n");
    } else if (ch === ";") {
      if (script[i + 1] === ";") complex = true; // case … ;;
      endCommand(";");
    } else if (ch === "&" || ch === "|") {
      if (script[i + 1] === ch) {
        endCommand(ch === "&" ? "&&" : "||");
        i++;
      } else if (ch === "&" && script[i + 1] === ">") {
        endWord();
        current.redirects = true;
        skipNextWord = true;
        i += script[i + 2] === ">" ? 2 : 1;
      } else endCommand(ch);
    } else if (ch === "<" || ch === ">") {
      // A redirection; a preceding all-digit word is its file descriptor.
      if (word && !word.quoted && /^\d+$/.test(word.text)) word = null;
      else endWord();
      current.redirects = true;
      if (ch === "<" && script[i + 1] === "<") complex = true; // here-document
      if (ch === "<" && script[i + 1] === "(") complex = true; // process substitution
      while (script[i + 1] === ">" || script[i + 1] === "<" || script[i + 1] === "|") i++;
      if (script[i + 1] === "&") {
        i++;
        // `2>&1`: the target is the fd that follows.
        const m = /^\d+|^-/.exec(script.slice(i + 1));
        if (m) i += m[0].length;
        else skipNextWord = true;
      } else skipNextWord = true;
    } else if (ch === "(" || ch === ")") {
      complex = true;
      endWord();
    } else {
      if (!word && ch === "~") w().expansion = true;
      if (ch === "*" || ch === "?" || ch === "[") w().glob = true;
      w().text += ch;
    }
  }
  endCommand(null);
  return { commands, complex, error };
}

/** The command that runs the app in a script, and whether the shell hands over PID 1 to it. */
export interface AppCommand {
  command: SimpleCommand;
  /** Words of the app after `exec` (and its options) is removed. */
  words: ShellWord[];
  /** Started with `exec`: the shell is replaced (DOMAIN.md §5b). */
  exec: boolean;
  /** The script is this one simple command, nothing else (no list, pipeline, background). */
  single: boolean;
}

/**
 * The app of a script: the first `exec <program>` (the shell is gone after it), else the last
 * command. Null when the script has no command.
 */
export function appCommand(script: ShellScript): AppCommand | null {
  const cmds = script.commands;
  for (const c of cmds) {
    if (c.words[0]?.text !== "exec" || c.words[0].quoted) continue;
    let k = 1;
    while (k < c.words.length && /^-[acl]+$/.test(c.words[k].text))
      k += c.words[k].text.includes("a") ? 2 : 1;
    if (k < c.words.length)
      return { command: c, words: c.words.slice(k), exec: true, single: cmds.length === 1 };
  }
  const last = cmds[cmds.length - 1];
  if (!last) return null;
  return {
    command: last,
    words: last.words,
    exec: false,
    single: cmds.length === 1 && last.next === null && !script.complex,
  };
}

/** True when every word is a plain literal (no expansion, glob or assignment): safe as exec form. */
export function isPlainCommand(c: SimpleCommand): boolean {
  return (
    c.assignments.length === 0 &&
    !c.redirects &&
    c.words.length > 0 &&
    c.words.every((w) => !w.expansion && !w.glob)
  );
}

/** `trap '…' TERM` in the script: it handles SIGTERM itself (forwards it, or cleans up). */
export function trapsTerm(script: ShellScript): boolean {
  return script.commands.some(
    (c) =>
      c.words[0]?.text === "trap" &&
      c.words.slice(2).some((w) => /^(SIG)?TERM$|^15$/i.test(w.text)),
  );
}
