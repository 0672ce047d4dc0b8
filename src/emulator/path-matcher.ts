import { Script, createContext } from "node:vm";

/** Longest `match.path` pattern accepted. */
export const maximumPatternLength = 1000;

/**
 * How long one match may run before the pattern is given up on (catastrophic backtracking). The budget is
 * wall time, so a match that times out is tried once more: on a busy machine a thread can be descheduled for
 * a while, and one such pause must not remove a harmless fault. A bad pattern costs at most twice this, once.
 */
export const matchBudgetMs = 200;

/** A fault's path pattern ran out of its time budget: it backtracks catastrophically on this path. */
export class PatternTimeoutError extends Error {
  override readonly name = "PatternTimeoutError" as const;
}

const sandbox = createContext({ pattern: /(?:)/, input: "" });
const test = new Script("pattern.test(input)");

/**
 * A user-supplied regular expression, tested with a time budget: JavaScript regular expressions can take
 * exponential time (`(a|a)*$`), and a match runs on the server's only thread. Each test runs in a vm context
 * whose timeout interrupts the regex engine, so a bad pattern costs at most `budgetMs`.
 */
export class BoundedPattern {
  private readonly regex: RegExp;

  constructor(
    readonly source: string,
    private readonly budgetMs: number = matchBudgetMs,
  ) {
    if (source.length > maximumPatternLength) {
      throw new SyntaxError(`longer than ${maximumPatternLength} characters`);
    }
    this.regex = new RegExp(source);
  }

  /** Whether the path matches; throws `PatternTimeoutError` when the budget runs out twice. */
  test(path: string): boolean {
    sandbox["pattern"] = this.regex;
    sandbox["input"] = path;
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          return test.runInContext(sandbox, { timeout: this.budgetMs }) === true;
        } catch (error) {
          if ((error as { code?: unknown }).code !== "ERR_SCRIPT_EXECUTION_TIMEOUT") throw error;
          if (attempt < 2) continue;
          throw new PatternTimeoutError(
            `The fault path pattern /${this.source}/ took over ${this.budgetMs} ms to match ` +
              `${JSON.stringify(path.slice(0, 200))} twice (catastrophic backtracking); the fault was removed. ` +
              "Use a simpler pattern.",
            { cause: error },
          );
        }
      }
    } finally {
      sandbox["input"] = "";
    }
  }
}
