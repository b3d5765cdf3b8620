/**
 * The server's refusal lines, tied back to what the user drew: "zones.0.polygon: Value error, the
 * polygon is self-intersecting…" names zone 0 of the saved body, which the user knows by name.
 */
import type { GeometryPatch } from "./editorState";

export interface ServerLine {
  kind: "zone" | "line" | null;
  /** The zone's or line's name, when the line names one. */
  name: string | null;
  /** The field inside it ("polygon", "a"), when given. */
  field: string | null;
  message: string;
}

const LOCATED = /^(?:[a-z]+: )?(zones|lines)(?:\.|\[)(\d+)\]?(?:\.([A-Za-z0-9_.[\]]+))?:\s*([\s\S]*)$/;

function clean(message: string): string {
  return message.replace(/^Value error,\s*/, "").trim();
}

export function explainServerLine(line: string, sent: GeometryPatch | null): ServerLine {
  const m = LOCATED.exec(line.trim());
  if (!m) return { kind: null, name: null, field: null, message: clean(line) };
  const kind = m[1] === "zones" ? "zone" : "line";
  const index = Number(m[2]);
  const item = sent ? (kind === "zone" ? sent.zones[index] : sent.lines[index]) : undefined;
  return {
    kind,
    name: item ? item.name : `#${index + 1}`,
    field: m[3] ?? null,
    message: clean(m[4]),
  };
}

/** One line per problem (the server may put several in one detail, one per text line). */
export function splitServerLines(lines: readonly string[]): string[] {
  return lines.flatMap((l) => l.split("\n")).filter((l) => l.trim() !== "");
}
