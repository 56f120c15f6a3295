// The virtual board itself (src/sim/virtual-board.ts, src/sim/espruino-shim.ts), without
// the firmware: the interpreter behaviour it models after Espruino 2v29.

import { describe, expect, it } from "vitest";
import { loadBoard } from "../src/boards/load.js";
import { fromLatin1, latin1 } from "../src/sim/espruino-values.js";
import { VirtualStorage } from "../src/sim/virtual-storage.js";
import { RESETREAS, VirtualBoard } from "../src/sim/virtual-board.js";

const linux = loadBoard("linux");
const puck = loadBoard("puckjs");

function board(b = linux): VirtualBoard {
  const vb = new VirtualBoard({ board: b });
  vb.boot();
  vb.takeOutput();
  return vb;
}

describe("REPL", () => {
  it("echoes, prints =result and a prompt; DLE turns both off for one line", () => {
    const vb = board();
    vb.input("1+1\n");
    expect(vb.takeOutput()).toBe("1+1\r\n=2\r\n>");
    vb.input("\x10var x = 5\n");
    expect(vb.takeOutput()).toBe("");
    vb.input("\x10print(x)\n"); // as on the Linux build: the output, then the prompt again
    expect(vb.takeOutput()).toBe("5\r\n>");
    vb.input("x\r\n");
    expect(vb.takeOutput()).toBe("x\r\n=5\r\n>");
  });

  it("continues a line with open brackets; Ctrl-C clears the line", () => {
    const vb = board();
    vb.input("function f() {\n");
    expect(vb.takeOutput()).toBe("function f() {\r\n:");
    vb.input("return 7 }\n");
    vb.input("f()\n");
    expect(vb.takeOutput()).toContain("=7\r\n>");
    vb.takeOutput();
    vb.input("garbage(\x03");
    vb.input("f()\n");
    expect(vb.takeOutput()).toBe("garbage(\r\x1b[J>f()\r\n=7\r\n>");
  });

  it("reports uncaught errors as Espruino does, and asynchronous output removes the prompt first", () => {
    const vb = board();
    vb.input("nope()\n");
    expect(vb.takeOutput()).toMatch(
      /^nope\(\)\r\nUncaught ReferenceError: nope is not defined\r\n {4}at .*\r\n>$/,
    );
    vb.eval('setTimeout(function(){ print("later") }, 10)');
    vb.advance(20);
    expect(vb.takeOutput()).toBe("\r\x1b[Jlater\r\n>");
  });

  it("process.on('uncaughtException') takes the error instead of the report", () => {
    const vb = board();
    vb.eval("process.on('uncaughtException', function(e){ print('caught ' + e.message) })");
    vb.eval('setTimeout(function(){ throw new Error("tick") }, 1)');
    vb.advance(5);
    expect(vb.takeOutput()).toBe("\r\x1b[Jcaught tick\r\n>");
  });

  it("an exception a handler throws is reported after every handler has run, as jsiCheckErrors does", () => {
    const vb = board();
    vb.eval(
      "process.on('uncaughtException', function(e){ print('first'); throw e });" +
        "process.on('uncaughtException', function(e){ print('second') })",
    );
    expect(vb.eval("process['#onuncaughtException'].length")).toBe(2);
    vb.eval('setTimeout(function(){ throw new Error("tock") }, 1)');
    vb.advance(5);
    expect(vb.takeOutput().startsWith("\r\x1b[Jfirst\r\nsecond\r\nUncaught Error: tock\r\n")).toBe(
      true,
    );
    vb.eval("process.removeAllListeners('uncaughtException')");
    expect(vb.eval("process['#onuncaughtException']")).toBeUndefined();
  });
});

describe("time", () => {
  it("runs timers in virtual time; getTime and Date follow the board clock", () => {
    const vb = board();
    vb.eval(
      "var log = []; setTimeout(function(){ log.push('b') }, 20); setTimeout(function(){ log.push('a') }, 10); var iv = setInterval(function(){ log.push('i') }, 15)",
    );
    vb.advance(31);
    expect(vb.eval("log.join('')")).toBe("aibi");
    vb.eval("clearInterval(iv)");
    const t = vb.eval("getTime()") as number;
    vb.advance(1000);
    expect((vb.eval("getTime()") as number) - t).toBeCloseTo(1, 2);
    vb.eval("setTime(1764115200)");
    expect(Math.round((vb.eval("Date.now()") as number) / 1000)).toBe(1764115200);
    expect(vb.eval("new Date().getUTCFullYear()")).toBe(2025);
  });

  it("real time: timers fire by themselves", async () => {
    const vb = new VirtualBoard({ board: linux, realTime: true });
    vb.boot();
    vb.eval("var fired = false; setTimeout(function(){ fired = true }, 20)");
    await new Promise((r) => setTimeout(r, 120));
    expect(vb.eval("fired")).toBe(true);
    vb.close();
  });
});

describe("boot sequence", () => {
  it("runs .bootPowerOn (first boot only), .boot0-3, then .bootcde; reset() runs .bootrst instead", () => {
    const vb = new VirtualBoard({ board: linux });
    for (const f of [".bootPowerOn", ".boot0", ".boot1", ".boot3", ".bootcde", ".bootrst"])
      vb.storage.writeFile(f, 'if (!global.order) global.order = []; order.push("' + f + '")');
    vb.storage.writeFile(
      ".boot2",
      'E.on("init", function(){ order.push("init") }); E.on("kill", function(){ print("killed") })',
    );
    vb.boot();
    expect(vb.eval("order.join()")).toBe(".bootPowerOn,.boot0,.boot1,.boot3,.bootcde,init");
    vb.takeOutput();
    vb.input("reset()\n");
    expect(vb.takeOutput()).toContain("killed");
    expect(vb.eval("order.join()")).toBe(".boot0,.boot1,.boot3,.bootrst,init");
    vb.reboot("power-cut");
    expect(vb.eval("order.join()")).toBe(".boot0,.boot1,.boot3,.bootcde,init");
  });

  it("load(file): kill handlers, boot files, init, then the file", () => {
    const vb = new VirtualBoard({ board: linux });
    vb.storage.writeFile(
      ".boot0",
      'global.seen = ["boot0"]; E.on("init", function(){ seen.push("init") })',
    );
    vb.storage.writeFile("app.js", 'seen.push("app:" + __FILE__)');
    vb.boot();
    vb.input('load("app.js")\n');
    expect(vb.eval("seen.join()")).toBe("boot0,init,app:app.js");
  });

  it("accepts an upload as EspruinoTools sends it: Storage.write chunks with DLE, then load()", () => {
    const vb = board();
    const code = 'print("uploaded app runs"); global.ok = 1;';
    const b64 = Buffer.from(code, "latin1").toString("base64");
    const half = Math.ceil(b64.length / 8) * 4;
    vb.input("\x10reset();\n");
    vb.input(
      '\x10require("Storage").write(".bootcde",atob("' +
        b64.slice(0, half) +
        '"),0,' +
        code.length +
        ");\n",
    );
    vb.input(
      '\x10require("Storage").write(".bootcde",atob("' +
        b64.slice(half) +
        '"),' +
        (half / 4) * 3 +
        ");\n",
    );
    vb.input("\x10load();\n");
    expect(vb.takeOutput()).toContain("uploaded app runs");
    expect(vb.eval("ok")).toBe(1);
  });

  it("E.reboot() runs the kill handlers and restarts with RESETREAS SREQ", () => {
    const vb = board(puck);
    vb.eval('E.on("kill", function(){ print("bye") }); var alive = 1');
    vb.input("E.reboot()\n");
    expect(vb.takeOutput()).toContain("bye");
    expect(vb.eval("typeof alive")).toBe("undefined");
    expect(vb.eval("peek32(0x40000400)")).toBe(RESETREAS.SREQ);
    vb.eval("poke32(0x40000400, 4)");
    expect(vb.resetreas).toBe(0);
  });
});

describe("devices and the console", () => {
  it("Loopback: bytes written to one arrive as the other's data events, asynchronously", () => {
    const vb = board();
    vb.eval(
      'var got = ""; LoopbackB.on("data", function(d){ got += d }); LoopbackA.write("abc"); var sync = got',
    );
    expect(vb.eval("sync")).toBe("");
    expect(vb.eval("got")).toBe("abc");
  });

  it("E.setConsole moves the console (and says so); output follows it", () => {
    const vb = board();
    vb.eval('var cap = ""; LoopbackB.on("data", function(d){ cap += d }); LoopbackA.setConsole()');
    expect(vb.takeOutput()).toBe("-> LoopbackA\r\n");
    vb.eval('print("hidden")');
    expect(vb.takeOutput()).toBe("");
    expect(vb.eval("cap")).toContain("<- USB\r\n");
    expect(vb.eval("cap")).toContain("hidden\r\n");
    vb.eval('E.setConsole("USB")');
    vb.eval('print("visible")');
    expect(vb.takeOutput()).toContain("visible\r\n");
  });

  it("loopback traffic beyond the IO buffer is dropped with FIFO_FULL and an errorFlag event", () => {
    const vb = board();
    vb.eval(
      'var flags; E.on("errorFlag", function(f){ flags = f }); LoopbackA.write("' +
        "z".repeat(1500) +
        '")',
    );
    vb.advance(1);
    expect(vb.eval("flags")).toEqual(["FIFO_FULL"]);
    expect(vb.takeOutput()).toContain("New interpreter error: FIFO_FULL");
    expect(vb.eval("E.getErrorFlags()")).toEqual(["FIFO_FULL"]); // until read
    expect(vb.eval("E.getErrorFlags()")).toEqual([]);
  });

  it("a throwing Serial data handler is removed, as Espruino does", () => {
    const vb = board();
    vb.eval(
      'LoopbackB.on("data", function(){ throw new Error("bad handler") }); LoopbackA.write("x")',
    );
    expect(vb.takeOutput()).toContain("Error processing Serial data handler - removing it.");
  });

  it("Bluetooth connect moves a non-forced console; NRF events fire", () => {
    const vb = board(puck);
    vb.eval(
      'var ev = []; NRF.on("connect", function(){ ev.push("c") }); NRF.on("disconnect", function(){ ev.push("d") })',
    );
    vb.bleDisconnect();
    expect(vb.eval("E.getConsole()")).toBe("Serial1");
    vb.bleConnect();
    expect(vb.eval("E.getConsole()")).toBe("Bluetooth");
    expect(vb.eval("ev.join()")).toBe("d,c");
  });
});

describe("Storage (Espruino's jsfWriteFile rules)", () => {
  it("pre-allocates, writes in place into 0xFF bytes, refuses written bytes, replaces at offset 0", () => {
    const st = new VirtualStorage();
    expect(st.write("f", fromLatin1("AB"), 0, 8)).toBe(true);
    expect(latin1(st.read("f") as Uint8Array)).toBe("AB\xff\xff\xff\xff\xff\xff");
    st.write("f", fromLatin1("CD"), 4);
    expect(latin1(st.read("f", 2, 4) as Uint8Array)).toBe("\xff\xffCD");
    expect(() => st.write("f", fromLatin1("CD"), 4)).toThrow(
      "File already written with different data",
    );
    expect(() => st.write("f", fromLatin1("XYZ"), 6)).toThrow("Too much data for file size");
    expect(latin1(st.read("f", 6, 10) as Uint8Array)).toBe("\xff\xff"); // clipped
    expect(latin1(st.read("f", 6, 0) as Uint8Array)).toBe("\xff\xff"); // length <= 0: to the end
    expect(st.read("f", 20, 2)?.length).toBe(0);
    st.write("f", fromLatin1("Q"), 0, 8); // not all 0xFF: a new file
    expect(latin1(st.read("f") as Uint8Array)).toBe("Q" + "\xff".repeat(7));
    expect(st.stats().trashCount).toBe(1);
    expect(st.read("nope")).toBeUndefined();
  });

  it("backs the partition's files with the flash: creating erases the block, writing programs it", () => {
    const vb = new VirtualBoard({ board: linux });
    vb.boot();
    vb.eval('require("Storage").write("mtdoops1", "MTDBLOCK", 0, 4096 + 8)');
    expect(vb.flash.stats.erases).toBe(1);
    vb.eval('require("Storage").write("mtdoops1", "\\x01\\x02", 8 + 100)');
    expect(Array.from(vb.flash.peek(4096 + 100, 2))).toEqual([1, 2]);
    vb.flash.cutPowerAfter({ ops: 0, mode: "clean" });
    vb.eval('require("Storage").write("mtdoops1", "\\x03", 8 + 200)');
    expect(vb.halted).toBe(true);
    vb.input('print("nothing")\n');
    expect(vb.takeOutput()).not.toContain("nothing");
    vb.reboot("power-cut");
    expect(vb.halted).toBe(false);
    expect(vb.eval('require("Storage").read("mtdoops1", 8 + 200, 1)')).toBe("\xff");
  });
});

describe("require('Flash') on a flash board", () => {
  it("maps the partition to the SimulatedNorFlash with AND semantics and unaligned writes", () => {
    const vb = board(puck);
    expect(vb.eval("require('Flash').getPage(0x69123)")).toEqual({ addr: 0x69000, length: 4096 });
    vb.eval(
      "var F = require('Flash'); F.erasePage(0x69000); F.write(new Uint8Array([0x0f, 0xf0]), 0x69001); F.write(new Uint8Array([0x3c]), 0x69001)",
    );
    expect(Array.from(vb.flash.peek(0, 4))).toEqual([0xff, 0x0c, 0xf0, 0xff]);
    expect(vb.eval("Array.from(F.read(3, 0x69000))")).toEqual([0xff, 0x0c, 0xf0]);
    expect(vb.eval("process.memory().flash_code_start")).toBe(0x6c000);
    expect(vb.eval("process.env.STORAGE")).toBe(0xa000);
  });
});
