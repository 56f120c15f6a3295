// What this browser offers: a secure context (Web Serial and Web Bluetooth are
// [SecureContext] APIs: https://, or http://localhost), navigator.serial (Chrome, Edge,
// Opera on desktops), navigator.bluetooth (also Chrome on Android). Firefox and Safari have
// neither. One sentence each for the user.

export interface Support {
  secure: boolean;
  serial: boolean;
  bluetooth: boolean;
}

export function detectSupport(w: Window = window): Support {
  const nav = w.navigator as Navigator & { serial?: unknown; bluetooth?: unknown };
  return {
    secure: w.isSecureContext,
    serial: typeof nav.serial === "object" && nav.serial !== null,
    bluetooth: typeof nav.bluetooth === "object" && nav.bluetooth !== null,
  };
}

export const INSECURE_MESSAGE =
  "This page is not in a secure context, so the browser hides Web Serial and Web Bluetooth from it. " +
  "Open it over https:// or from http://localhost. Decoding an image file still works.";

export const NO_API_MESSAGE =
  "This browser has neither Web Serial nor Web Bluetooth (Firefox and Safari do not offer them). " +
  "Use Chrome, Edge or Opera on a computer, or Chrome on Android for Bluetooth. Decoding an image file still works.";

export function noSerialMessage(): string {
  return "This browser has no Web Serial: connect over Bluetooth, or use Chrome, Edge or Opera on a computer for USB.";
}

export function noBluetoothMessage(): string {
  return "This browser has no Web Bluetooth (on Linux it may need chrome://flags/#enable-experimental-web-platform-features): connect over USB serial.";
}

/** The message for what is missing, or null when everything is there. */
export function supportProblem(s: Support): string | null {
  if (!s.secure) return INSECURE_MESSAGE;
  if (!s.serial && !s.bluetooth) return NO_API_MESSAGE;
  return null;
}
