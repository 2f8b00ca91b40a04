// A free loopback port (the same helper the demo uses).
export { freeLoopbackPort as freePort } from '../../src/tools/collector-process.js';
