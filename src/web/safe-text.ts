// Device data on the page: always text, never markup. Everything the board sends reaches
// the DOM through textContent (nothing parses it as HTML); this module makes it readable as well as
// inert: control characters (terminal escapes included) are shown as the Unicode Control
// Pictures (U+2400 + code, U+2421 for DEL), and very long lines are cut for display (the
// download keeps every byte). File names made from device data are sanitised.

/** Characters of one line shown; the rest is summarised (the files keep it all). */
export const MAX_LINE_SHOWN = 2000;

/** Makes control characters visible; keeps newlines and tabs. */
export function visibleControls(s: string): string {
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  return s.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, (c) =>
    c === "\x7f" ? "\u2421" : String.fromCharCode(0x2400 + c.charCodeAt(0)),
  );
}

/** The console text as shown: CRLF as one newline, controls visible, long lines cut. */
export function displayText(s: string): string {
  return s
    .replace(/\r\n/g, "\n")
    .split("\n")
    .map((line) => {
      const v = visibleControls(line);
      return v.length > MAX_LINE_SHOWN
        ? v.slice(0, MAX_LINE_SHOWN) +
            ` \u2026 [${v.length - MAX_LINE_SHOWN} more characters in the download]`
        : v;
    })
    .join("\n");
}

/** A download name from anything: letters, digits, . _ - only; no leading dot; at most 120 characters. */
export function safeFileName(name: string, fallback = "download"): string {
  const cleaned = name
    .replace(/[^A-Za-z0-9._-]/g, "_")
    .replace(/^[.]+/, "_")
    .slice(0, 120);
  return cleaned && !/^_*$/.test(cleaned) ? cleaned : fallback;
}

/** Text as a one-line value (context values). */
export function oneLine(v: unknown): string {
  const s = typeof v === "string" ? v : JSON.stringify(v);
  return visibleControls((s ?? "").replace(/\r?\n/g, " \u21b5 "));
}
