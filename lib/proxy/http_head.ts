/**
 * Reads an HTTP message head (RFC 9112 §2-5) as both proxy sides need it:
 * the start line, and the field values by name. Lines may end in CRLF or a
 * bare LF; a line that starts with a space or a tab continues the field
 * before it (obsolete line folding, which ncat's test suite sends).
 *
 * @module
 */

/** A parsed head. */
export interface HttpHead {
  /** The request line or the status line. */
  startLine: string;
  /** Every value of the fields named `name` (any case), in order, trimmed. */
  get(name: string): string[];
}

/**
 * Parses the text of a head (as `readHttpHead` returns it).
 *
 * @example
 * ```ts
 * const head = parseHttpHead("CONNECT h:1 HTTP/1.1\r\nProxy-Authorization: Basic\r\n dTpw\r\n\r\n");
 * head.get("proxy-authorization"); // ["Basic dTpw"]
 * ```
 */
export function parseHttpHead(text: string): HttpHead {
  const [startLine = "", ...lines] = text.split(/\r?\n/);
  const fields: [string, string][] = [];
  for (const line of lines) {
    if (line === "") continue;
    if (/^[ \t]/.test(line)) {
      const last = fields[fields.length - 1];
      if (last) last[1] = `${last[1]} ${line.trim()}`.trim();
      continue;
    }
    const i = line.indexOf(":");
    if (i <= 0) continue; // not a field: nothing to read from it
    fields.push([line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim()]);
  }
  return {
    startLine,
    get: (name) => fields.filter(([n]) => n === name.toLowerCase()).map(([, v]) => v),
  };
}
