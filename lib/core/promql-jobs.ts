/**
 * The scrape jobs a PromQL expression selects by `job="..."` or `job=~"a|b"` matchers, so that a
 * rule or a dashboard can be checked against what the app really scrapes. A regex alternative that
 * is not a plain (escaped) name cannot be checked and is left out, as are negative matchers.
 */
export function jobsSelectedBy(expr: string): string[] {
  const jobs: string[] = [];
  const matcher = /\bjob\s*(=~|=)\s*"((?:[^"\\]|\\.)*)"/g;
  for (const [, op, quoted] of expr.matchAll(matcher)) {
    const value = unquote(quoted);
    if (value === undefined) continue;
    if (op === '=') {
      jobs.push(value);
      continue;
    }
    for (const alternative of splitAlternatives(value)) {
      const literal = regexLiteral(alternative);
      if (literal !== undefined) jobs.push(literal);
    }
  }
  return [...new Set(jobs)];
}

/** A PromQL double-quoted string body (Go escaping, of which JSON's is a subset). */
function unquote(body: string): string | undefined {
  try {
    return JSON.parse(`"${body}"`) as string;
  } catch {
    return undefined;
  }
}

/** Top-level `|` alternatives of a regex (alternation inside groups is left whole). */
function splitAlternatives(regex: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (let i = 0; i < regex.length; i++) {
    const ch = regex[i];
    if (ch === '\\') {
      current += ch + (regex[i + 1] ?? '');
      i++;
      continue;
    }
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === '|' && depth === 0) {
      out.push(current);
      current = '';
      continue;
    }
    current += ch;
  }
  out.push(current);
  return out;
}

/** The literal a regex matches when it is a plain name with escaped metacharacters; else undefined. */
function regexLiteral(regex: string): string | undefined {
  let out = '';
  for (let i = 0; i < regex.length; i++) {
    const ch = regex[i];
    if (ch === '\\') {
      const next = regex[i + 1];
      if (next === undefined || /[A-Za-z0-9]/.test(next)) return undefined;
      out += next;
      i++;
    } else if ('.*+?^$()[]{}|'.includes(ch)) {
      return undefined;
    } else {
      out += ch;
    }
  }
  return out === '' ? undefined : out;
}

/**
 * A `job=~"..."` matcher for exactly these scrape jobs. Regex characters in a job name are escaped
 * for the regex, and the regex is then written as a PromQL string literal (Go escaping, which a
 * JSON string is a subset of): a bare `\.` inside double quotes is an unknown escape sequence that
 * Prometheus refuses to parse.
 */
export function jobMatcher(jobs: readonly string[]): string {
  const regex = jobs.map((j) => j.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  return `job=~${JSON.stringify(regex)}`;
}
