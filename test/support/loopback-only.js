// Preloaded (node --require) into a sealed rehearsal: records every connection to anything but loopback, so
// a test can show that none was even tried. Plain JavaScript: it runs before any TypeScript loader.
const fs = require('fs');
const net = require('net');

const log = process.env.LOOPBACK_ONLY_LOG;
const isLoopback = (host) => host === undefined || host === 'localhost' || host === '::1' || /^127\./.test(host);
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  const host = typeof first === 'object' && first !== null ? (first.path ? undefined : first.host) : typeof first === 'number' ? args[1] : undefined;
  if (log && !isLoopback(typeof host === 'string' ? host : undefined)) fs.appendFileSync(log, `${host}\n`);
  return connect.apply(this, args);
};
