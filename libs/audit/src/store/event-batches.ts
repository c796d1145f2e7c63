/**
 * Audit events per FETCH from a server-side cursor, in the code that reads them inside a broker
 * instance (the checkpoint round, the verify route). PostgreSQL sends a FETCH's rows at once; the
 * pg driver then parses all that reached the socket in one go (7-8 µs per event here), and the
 * links this instance serves wait meanwhile. 2,000 held the event loop 30-50 ms at a time; 250
 * keeps it to a couple of ms for a few more round trips (docs/performance.md#eighth-pass).
 */
export const EVENTS_PER_FETCH = 250;
