// Splits SQL text into statements at the `;` that are outside quotes and comments, so that the
// command line runs them one at a time (and the prompt knows when a statement is complete).

export interface Split {
  /** Complete statements, trimmed, without their `;`; comment-only pieces are dropped. */
  statements: string[];
  /** The text after the last `;` (an unfinished statement, or only blanks and comments). */
  rest: string;
}

/** True when `text` holds something other than blanks and comments. */
export function hasContent(text: string): boolean {
  return splitStatements(`${text}\n;`).statements.length > 0;
}

export function splitStatements(text: string): Split {
  const statements: string[] = [];
  let start = 0;
  let content = false; // the current statement has a character outside comments
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (c === "'" || c === '"' || c === "`") {
      content = true;
      i++;
      while (i < n && text[i] !== c) i += text[i] === "\\" ? 2 : 1;
      i++; // the closing quote ('' doubling is two quoted runs back to back)
    } else if ((c === "-" && text[i + 1] === "-") || c === "#") {
      while (i < n && text[i] !== "\n") i++;
    } else if (c === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === ";") {
      if (content) statements.push(text.slice(start, i).trim());
      start = ++i;
      content = false;
    } else {
      if (!/\s/.test(c)) content = true;
      i++;
    }
  }
  return { statements, rest: text.slice(start) };
}
