// otel-audit: the event model and the emitter.
export * from './event/index.js';
export * from './emit/index.js';
export * from './emit/durable/index.js';
