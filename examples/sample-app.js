// A small app that crashes in a few different ways, for the espruino-mtdoops demo
// (npm start). It runs on the virtual board, and as it is on a real one: upload it after
// `mtdoops flash`, then read what it left with `mtdoops logs --port <port>`.
//
// Plain ES5-style JavaScript, as Espruino's interpreter runs it.
/* global setInterval, clearInterval, setTimeout, mtdoops, LoopbackA */

var readings = [];

function readSensor() {
  // A driver that sometimes returns nothing.
  return readings.length < 2 ? { celsius: 21.5 + readings.length } : undefined;
}

function logReading() {
  var r = readSensor();
  readings.push(r);
  console.log("temperature: " + r.celsius.toFixed(1) + " C"); // TypeError on the third reading
}

console.log("sample app: started");

// 1. An uncaught exception in a timer: the interpreter prints "Uncaught TypeError ...",
//    espruino-mtdoops writes an "oops" record with the console and the stack.
var sampler = setInterval(function () {
  try {
    logReading();
  } finally {
    if (readings.length >= 3) clearInterval(sampler);
  }
}, 300);

// 2. The app notices something wrong and records it without crashing.
setTimeout(function () {
  console.log("battery: 3.05 V");
  mtdoops.oops("battery low: 3.05 V");
}, 1500);

// 3. An error of another kind: bad data from a peer, JSON.parse throws a SyntaxError.
setTimeout(function () {
  var message = '{"cmd":"set","value":4';
  console.log("received: " + message);
  var cmd = JSON.parse(message);
  console.log("command " + cmd.cmd);
}, 2500);

// 4. The interpreter itself reports an error flag: the app pushes more than the 1 KB IO
//    buffer through a Loopback device in one go (FIFO_FULL): an "errorflag" record.
setTimeout(function () {
  var line = "";
  for (var i = 0; i < 60; i++) line += "0123456789";
  console.log("debug dump to the loopback");
  LoopbackA.write(line + line + line + line);
}, 3500);

// 5. The main loop is stuck and the watchdog is about to reset the board: record it at
//    once, synchronously (the record is on flash before mtdoops.panic returns).
setTimeout(function () {
  console.log("main loop stuck, giving up");
  mtdoops.panic("main loop stuck: watchdog reset coming");
}, 4500);
