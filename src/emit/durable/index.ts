// Durable delivery: the on-disk spool, the sender, webhooks (the delivery issue).
export {};
