// Preloaded into a spawned app (NODE_OPTIONS=--require): on SIGUSR2 it prints the event loop's
// longest delay since the previous report, then starts over, so a test can tell how long one
// request held the loop. Plain CommonJS: Node loads it before the app, untranspiled.
const { monitorEventLoopDelay } = require('node:perf_hooks');

const histogram = monitorEventLoopDelay({ resolution: 5 });
histogram.enable();

process.on('SIGUSR2', () => {
  process.stderr.write(`event-loop-delay ${JSON.stringify({ maxMs: histogram.max / 1e6 })}\n`);
  histogram.reset();
});
