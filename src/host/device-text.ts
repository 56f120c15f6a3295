// Text that came from a device (a board's console, a record's contents, a BEGIN line's
// board id) before it reaches a terminal, a message or a file name. A device can send any
// byte: ESC sequences that move the cursor or retitle the window, BEL, backspaces that hide
// what came before, lines of megabytes. Every such byte is shown as a visible escape, and
// what goes into a one-line message is cut to a length.

/** Longest device text quoted in a one-line message. */
export const MESSAGE_TEXT_MAX = 200;
/** Longest board id used in a folder name. */
export const NAME_TEXT_MAX = 32;

function escapeChar(c: number): string {
  if (c === 0x1b) return "\\e";
  if (c < 0x100) return "\\x" + c.toString(16).padStart(2, "0");
  return "\\u" + c.toString(16).padStart(4, "0");
}

/**
 * Device text made safe for a terminal: C0 and C1 control characters, DEL, and the Unicode
 * bidirectional overrides become visible escapes. `keepLines` keeps newlines and tabs
 * (a record's console text); otherwise they are escaped too (a one-line message).
 */
export function escapeDeviceText(text: string, keepLines = false): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const control =
      c < 0x20 ||
      (c >= 0x7f && c <= 0x9f) ||
      (c >= 0x202a && c <= 0x202e) ||
      (c >= 0x2066 && c <= 0x2069);
    if (control && !(keepLines && (c === 0x0a || c === 0x09))) out += escapeChar(c);
    else out += text[i];
  }
  return out;
}

/** Device text for a one-line message: escaped, and cut to `max` characters. */
export function quoteDeviceText(text: string, max = MESSAGE_TEXT_MAX): string {
  const cut = text.length > max;
  const safe = escapeDeviceText(cut ? text.slice(0, max) : text);
  return cut ? safe + `… (${text.length} characters)` : safe;
}

/** A device-given name for a file or folder name: [A-Za-z0-9._-] only, at most `max` long. */
export function deviceFileName(text: string, max = NAME_TEXT_MAX): string {
  const s = text
    .slice(0, max)
    .replace(/[^A-Za-z0-9._-]/g, "_")
    .replace(/^\.+/, "_");
  return s || "board";
}
