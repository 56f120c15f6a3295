// Device text on its way to a terminal, a message or a file name: escaped and cut.

import { describe, expect, it } from "vitest";
import { deviceFileName, escapeDeviceText, quoteDeviceText } from "../src/host/device-text.js";

describe("device text", () => {
  it("control characters become visible escapes; lines kept only when asked", () => {
    expect(escapeDeviceText("a\x1b[2Jb\x07c\x9bd\u202ee")).toBe("a\\e[2Jb\\x07c\\x9bd\\u202ee");
    expect(escapeDeviceText("one\ntwo\tthree\r", true)).toBe("one\ntwo\tthree\\x0d");
    expect(escapeDeviceText("one\ntwo")).toBe("one\\x0atwo");
  });

  it("a message quotes at most 200 characters and says how long the text was", () => {
    const q = quoteDeviceText("\x1b" + "x".repeat(5000));
    expect(q).toBe("\\e" + "x".repeat(199) + "… (5001 characters)");
  });

  it("a file name keeps [A-Za-z0-9._-], 32 characters at most, and never starts with a dot", () => {
    expect(deviceFileName("puckjs")).toBe("puckjs");
    expect(deviceFileName("../../etc/passwd")).toBe("__.._etc_passwd");
    expect(deviceFileName("a".repeat(100))).toBe("a".repeat(32));
    expect(deviceFileName("")).toBe("board");
  });
});
