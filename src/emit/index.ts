// Mapping to log records, the log processor, the emitter.
export {};
